//! The spec's end-to-end scenario over HTTP on the local stack, step by step with its values,
//! on one stack: steps 1-7 (product, customer, quotes with underwriting, plan, description and
//! its AlimTalk message, proposal, payment, withdrawal with the payment cancelled), step 8 (the
//! report's product-down demo: product slowed above the timeout, the breaker opens, product
//! back), step 9 (the my page consumer stopped, then back: one row, nothing twice), then the
//! issue's payment-slowed breaker demo (late payments reconciled by `PayApproved`) and a
//! proposal-context outage while plans are still saved.
//!
//! "Within a second" is measured and printed; the assertions allow [`PATIENCE`] so a loaded
//! shared machine does not fail them, and assert behaviour, never a duration.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use devstack::lambda::Fault;
use serde_json::{Value, json};
use stack_test::{Reply, TestApp};

/// How long a test waits for an effect the spec expects within seconds.
const PATIENCE: Duration = Duration::from_secs(60);

struct Customer {
    no: String,
    token: String,
}

async fn register(app: &TestApp, name: &str, birth: &str) -> Customer {
    let subject = stack_test::new_subject();
    let token = app.token(&subject, &[], 3600);
    let body = json!({"name": name, "birthDate": birth, "phone": "010-1234-5678"});
    let reply = app.send_as(Some(&token), "POST", "/customers", Some(&body)).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let no = reply.body["customerNo"].as_str().unwrap().to_owned();
    assert!(no.len() == 9 && no.bytes().all(|b| b.is_ascii_digit()), "{no}");
    Customer { no, token }
}

fn design(who: &Customer, sum: u64) -> Value {
    json!({"customerNo": who.no, "productCode": "P00000005", "sumInsured": sum, "insurancePeriodYears": 20,
        "paymentPeriodYears": 20, "paymentCycle": "Monthly"})
}

/// A quote, once plan knows the customer (it learns customers by event), honouring a 503's
/// `Retry-After` (product's first invocation is a cold start, which a loaded machine can
/// stretch past the 610 ms timeout; a 503 quote saves nothing).
async fn quote(app: &TestApp, who: &Customer, sum: u64) -> Reply {
    let body = design(who, sum);
    stack_test::app::poll_until(
        PATIENCE,
        || app.send_honouring_retry_after(Some(&who.token), "POST", "/plans/quote", Some(&body), PATIENCE),
        |r| r.status != 404,
    )
    .await
}

/// Saves a plan, honouring a 503's `Retry-After` (a 503 saves nothing).
async fn save_plan(app: &TestApp, who: &Customer) -> String {
    let body = design(who, 50_000_000);
    let reply = app.send_honouring_retry_after(Some(&who.token), "POST", "/plans", Some(&body), PATIENCE).await;
    assert_eq!(
        (reply.status, reply.body["status"].as_str(), reply.body["monthlyPremium"].as_u64()),
        (201, Some("Designed"), Some(80_000)),
        "{reply:?}"
    );
    reply.body["planNo"].as_str().unwrap().to_owned()
}

/// Asks for the plan's description and waits until the plan is `DescriptionIssued`.
async fn describe(app: &TestApp, who: &Customer, plan: &str) -> Duration {
    let started = Instant::now();
    let reply = app.send_as(Some(&who.token), "POST", &format!("/plans/{plan}/description"), None).await;
    assert_eq!((reply.status, reply.body["status"].as_str()), (202, Some("DescriptionRequested")), "{reply:?}");
    let path = format!("/plans/{plan}");
    let issued = app.poll_as(Some(&who.token), &path, PATIENCE, |r| r.body["status"] == "DescriptionIssued").await;
    assert_eq!(issued.body["status"], "DescriptionIssued", "{issued:?}");
    started.elapsed()
}

/// Applies once proposal's copy of the plan shows its issued description (409 until then).
async fn apply(app: &TestApp, who: &Customer, plan: &str) -> String {
    let body = json!({"planNo": plan});
    let reply = stack_test::app::poll_until(
        PATIENCE,
        || app.send_as(Some(&who.token), "POST", "/proposals", Some(&body)),
        |r| r.status == 201,
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["status"].as_str(), reply.body["firstPremium"].as_u64()),
        (201, Some("Submitted"), Some(80_000)),
        "{reply:?}"
    );
    reply.body["proposalNo"].as_str().unwrap().to_owned()
}

fn account() -> Value {
    json!({"bankCode": "088", "accountNo": "110123456789", "accountHolder": "양건우"})
}

/// Pays once: the answer as it comes, 503 included (the breaker steps).
async fn pay(app: &TestApp, who: &Customer, proposal: &str) -> Reply {
    app.send_as(Some(&who.token), "POST", &format!("/proposals/{proposal}/payment"), Some(&account())).await
}

/// Pays, honouring a 503's `Retry-After` (payment's first invocation is a cold start; paying
/// again is idempotent: a payment that completed late is the one answered).
async fn pay_honouring_retry_after(app: &TestApp, who: &Customer, proposal: &str) -> Reply {
    let path = format!("/proposals/{proposal}/payment");
    app.send_honouring_retry_after(Some(&who.token), "POST", &path, Some(&account()), PATIENCE).await
}

async fn rows(app: &TestApp, who: &Customer) -> Vec<Value> {
    let reply = app.send_as(Some(&who.token), "GET", &format!("/mypages?customerNo={}", who.no), None).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["rows"].as_array().unwrap().clone()
}

async fn row_until(app: &TestApp, who: &Customer, plan: &str, done: impl Fn(&Value) -> bool) -> (Value, Duration) {
    let started = Instant::now();
    let path = format!("/mypages?customerNo={}", who.no);
    let find =
        |r: &Reply| r.body["rows"].as_array().and_then(|rows| rows.iter().find(|row| row["planNo"] == plan).cloned());
    let reply = app.poll_as(Some(&who.token), &path, PATIENCE, |r| find(r).is_some_and(|row| done(&row))).await;
    let row = find(&reply).unwrap_or(Value::Null);
    assert!(done(&row), "{reply:?}");
    (row, started.elapsed())
}

async fn messages(app: &TestApp, who: &Customer, plan: &str) -> Vec<String> {
    let reply = app.send_as(Some(&who.token), "GET", &format!("/msgs?customerNo={}", who.no), None).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let mut kinds: Vec<String> = reply.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["planNo"] == plan)
        .map(|m| m["kind"].as_str().unwrap().to_owned())
        .collect();
    kinds.sort();
    kinds
}

fn payments(app: &TestApp, proposal: &str) -> Vec<Value> {
    app.items("PaymentTable")
        .into_iter()
        .filter(|i| i["proposalNo"]["S"] == proposal && i["kind"]["S"] == "Payment")
        .collect()
}

async fn proposal_status(app: &TestApp, who: &Customer, proposal: &str) -> String {
    let reply = app.send_as(Some(&who.token), "GET", &format!("/proposals/{proposal}"), None).await;
    reply.body["status"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_spec_scenario_end_to_end() {
    let app = TestApp::start(&insurance::system()).await;
    let manager = app.token("auth0|product-team", &[insurance::PRODUCT_MANAGER], 3600);

    // Step 1: the product manager registers P00000005.
    let product = json!({"productCode": "P00000005", "productName": "(무)재해사망보장", "minEntryAge": 15,
        "maxEntryAge": 60, "maxSumInsured": 100_000_000, "premiumPerMillion": 1600});
    let reply = app.send_as(Some(&manager), "POST", "/products", Some(&product)).await;
    assert_eq!((reply.status, reply.body["status"].as_str()), (201, Some("OnSale")), "{reply:?}");

    // Step 2: 양건우, born 1985-03-15, registers.
    let yang = register(&app, "양건우", "1985-03-15").await;

    // Step 3: quotes, once plan knows the customer.
    let started = Instant::now();
    let over = quote(&app, &yang, 200_000_000).await;
    println!("step 3: plan knew the customer {:?} after registration", started.elapsed());
    let first = app.stack.reports().into_iter().find(|r| r.function == "QuoteFunction");
    let first = first.map(|r| format!("{:.0} ms, init {:?} ms", r.duration_ms, r.init_ms.map(f64::round)));
    println!("step 3: product's first invocation (prewarmed; the timeout is 610 ms): {first:?}");
    assert_eq!(over.status, 422, "{over:?}");
    assert!(over.body["detail"].as_str().unwrap().contains("limit amount"), "{over:?}");
    let quoted = quote(&app, &yang, 50_000_000).await;
    assert_eq!((quoted.status, quoted.body["monthlyPremium"].as_u64()), (200, Some(80_000)), "{quoted:?}");
    let seventy = format!("{}-01-01", Utc::now().year() - 70);
    let old = register(&app, "노인", &seventy).await;
    let refused = quote(&app, &old, 50_000_000).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(refused.body["detail"].as_str().unwrap().contains("entry age"), "{refused:?}");

    // Step 4: the plan; the my page shows it as 가입설계.
    let plan = save_plan(&app, &yang).await;
    let saved_at = Instant::now();
    let (row, took) = row_until(&app, &yang, &plan, |r| r["progress"] == "가입설계").await;
    println!("step 4: my page showed 가입설계 {took:?} after the save ({:?})", saved_at.elapsed());
    assert_eq!(row["monthlyPremium"], 80_000);

    // Step 5: no proposal before the description; the description, its message, the my page.
    let apply_body = json!({"planNo": plan});
    let early = stack_test::app::poll_until(
        PATIENCE,
        || app.send_as(Some(&yang.token), "POST", "/proposals", Some(&apply_body)),
        |r| r.status != 404,
    )
    .await;
    assert_eq!(early.status, 409, "{early:?}");
    let took = describe(&app, &yang, &plan).await;
    println!("step 5: the plan was DescriptionIssued {took:?} after the request");
    let described = Instant::now();
    let sent = stack_test::app::poll_until(PATIENCE, || messages(&app, &yang, &plan), |kinds| !kinds.is_empty()).await;
    println!("step 5: the AlimTalk message was listed {:?} after", described.elapsed());
    assert_eq!(sent, ["ProductDescriptionIssued"]);
    row_until(&app, &yang, &plan, |r| r["progress"] == "상품설명서생성완료").await;

    // Step 6: apply and pay; the my page shows Contracted with 80000 paid.
    let proposal = apply(&app, &yang, &plan).await;
    let paid = pay_honouring_retry_after(&app, &yang, &proposal).await;
    let paid_at = Instant::now();
    assert_eq!(
        (paid.status, paid.body["status"].as_str(), paid.body["amount"].as_u64()),
        (200, Some("Contracted"), Some(80_000)),
        "{paid:?}"
    );
    let again = pay(&app, &yang, &proposal).await;
    assert_eq!(
        (again.status, &again.body["paymentId"]),
        (200, &paid.body["paymentId"]),
        "paid again: the same payment"
    );
    let (row, took) = row_until(&app, &yang, &plan, |r| r["status"] == "Contracted" && r["paidAmount"] == 80_000).await;
    println!("step 6: my page Contracted {took:?} after polling began ({:?} after the payment)", paid_at.elapsed());
    assert_eq!(row["progress"], "계약성립");

    // Step 7: withdraw; the payment is cancelled; one message for each step, none twice.
    let withdrawn = app.send_as(Some(&yang.token), "POST", &format!("/proposals/{proposal}/withdraw"), None).await;
    let withdrawn_at = Instant::now();
    assert_eq!((withdrawn.status, withdrawn.body["status"].as_str()), (200, Some("Withdrawn")), "{withdrawn:?}");
    let cancelled = stack_test::app::poll_until(
        PATIENCE,
        || async { payments(&app, &proposal) },
        |p| p.first().is_some_and(|p| p["status"]["S"] == "Cancelled"),
    )
    .await;
    println!("step 7: payment Cancelled {:?} after the withdrawal", withdrawn_at.elapsed());
    assert_eq!(cancelled.len(), 1);
    row_until(&app, &yang, &plan, |r| r["status"] == "Withdrawn" && r["paymentStatus"] == "Cancelled").await;
    println!("step 7: my page Withdrawn {:?} after the withdrawal", withdrawn_at.elapsed());
    let all = stack_test::app::poll_until(PATIENCE, || messages(&app, &yang, &plan), |k| k.len() >= 5).await;
    assert_eq!(
        all,
        ["ContractConcluded", "PayCancelled", "ProductDescriptionIssued", "ProposalSubmitted", "ProposalWithdrawn"]
    );
    let again = app.send_as(Some(&yang.token), "POST", &format!("/proposals/{proposal}/withdraw"), None).await;
    assert_eq!(again.status, 409, "{again:?}");

    step_8_product_slowed(&app, &yang).await;
    step_9_mypage_consumer_stopped(&app, &yang).await;
    payment_slowed(&app, &yang).await;
    proposal_context_down_while_plans_are_saved(&app, &yang).await;
}

/// Step 8: product slowed above the 610 ms timeout; five quotes answer 503 and open the breaker;
/// the next is refused at once without invoking product; with product back, 200 and 80000.
async fn step_8_product_slowed(app: &TestApp, who: &Customer) {
    let failures = usize::try_from(platform::invoke::FAILURES_TO_OPEN).unwrap();
    let mut answered = Vec::new();
    for _ in 0..failures {
        assert!(app.stack.set_fault("QuoteFunction", Fault { delay_ms: 700, fail: false }));
        let started = Instant::now();
        let reply = app.send_as(Some(&who.token), "POST", "/plans/quote", Some(&design(who, 50_000_000))).await;
        answered.push(started.elapsed());
        assert_eq!(reply.status, 503, "{reply:?}");
        assert!(reply.headers.contains_key("retry-after"), "{reply:?}");
    }
    println!("step 8: slow product answered 503 in {answered:?} (timeout 610 ms)");
    let calls = app.invoked("QuoteFunction");
    let started = Instant::now();
    let refused = app.send_as(Some(&who.token), "POST", "/plans", Some(&design(who, 50_000_000))).await;
    println!("step 8: with the breaker open, 503 in {:?}", started.elapsed());
    assert_eq!(refused.status, 503, "{refused:?}");
    assert_eq!(app.invoked("QuoteFunction"), calls, "product not invoked while open");
    app.stack.set_fault("QuoteFunction", Fault::default());
    let started = Instant::now();
    let body = design(who, 50_000_000);
    let back = stack_test::app::poll_until(
        PATIENCE,
        || app.send_as(Some(&who.token), "POST", "/plans/quote", Some(&body)),
        |r| r.status == 200,
    )
    .await;
    println!("step 8: 200 again {:?} after product came back", started.elapsed());
    assert_eq!(back.body["monthlyPremium"], 80_000, "{back:?}");
}

/// Step 9: with the my page consumer stopped, a plan, its description, a proposal and its payment
/// are all accepted but the my page does not show them; when it is back, one row, Contracted.
async fn step_9_mypage_consumer_stopped(app: &TestApp, who: &Customer) {
    app.set_consumer_enabled("MyPageOnEventsFunction", false);
    let plan = save_plan(app, who).await;
    describe(app, who, &plan).await;
    let proposal = apply(app, who, &plan).await;
    let paid = pay_honouring_retry_after(app, who, &proposal).await;
    assert_eq!((paid.status, paid.body["status"].as_str()), (200, Some("Contracted")), "{paid:?}");
    assert!(rows(app, who).await.iter().all(|r| r["planNo"] != plan.as_str()), "not shown while stopped");
    app.set_consumer_enabled("MyPageOnEventsFunction", true);
    let (row, took) = row_until(app, who, &plan, |r| r["status"] == "Contracted" && r["paidAmount"] == 80_000).await;
    println!("step 9: caught up in {took:?}");
    assert!(row["lastEvent"].is_string(), "{row}");
    let same: Vec<_> = rows(app, who).await.into_iter().filter(|r| r["planNo"] == plan.as_str()).collect();
    assert_eq!(same.len(), 1, "one row for the plan");
}

/// The breaker demo on payment: payment slowed above the timeout; five payments answer
/// 503 (the proposals stay Submitted) and open the breaker; the slow payments complete and reach
/// their proposals by `PayApproved` (Contracted, one payment each); after the cool-down paying
/// answers 200 again.
async fn payment_slowed(app: &TestApp, who: &Customer) {
    let failures = usize::try_from(platform::invoke::FAILURES_TO_OPEN).unwrap();
    let mut proposals = Vec::new();
    for _ in 0..=failures {
        let plan = save_plan(app, who).await;
        describe(app, who, &plan).await;
        proposals.push(apply(app, who, &plan).await);
    }
    for proposal in &proposals[..failures] {
        assert!(app.stack.set_fault("PayFunction", Fault { delay_ms: 700, fail: false }));
        let reply = pay(app, who, proposal).await;
        assert_eq!(reply.status, 503, "{reply:?}");
        assert!(reply.headers.contains_key("retry-after"), "{reply:?}");
    }
    let calls = app.invoked("PayFunction");
    let refused = pay(app, who, &proposals[failures]).await;
    assert_eq!(refused.status, 503, "{refused:?}");
    assert_eq!(app.invoked("PayFunction"), calls, "payment not invoked while open");
    assert_eq!(proposal_status(app, who, &proposals[failures]).await, "Submitted");
    for proposal in &proposals[..failures] {
        let started = Instant::now();
        let status =
            stack_test::app::poll_until(PATIENCE, || proposal_status(app, who, proposal), |s| s == "Contracted").await;
        println!("payment slowed: {proposal} Contracted by PayApproved {:?} later", started.elapsed());
        assert_eq!(status, "Contracted");
        assert_eq!(payments(app, proposal).len(), 1, "one payment");
    }
    app.stack.set_fault("PayFunction", Fault::default());
    let last = &proposals[failures];
    let paid = stack_test::app::poll_until(PATIENCE, || pay(app, who, last), |r| r.status == 200).await;
    assert_eq!(paid.body["status"], "Contracted", "{paid:?}");
    assert_eq!(payments(app, last).len(), 1);
}

/// The design system runs while proposal management is down (NFR 2.i): with proposal's
/// consumer stopped and its submit failing, plans are still saved and described; when proposal
/// is back, it knows the plan and accepts the proposal.
async fn proposal_context_down_while_plans_are_saved(app: &TestApp, who: &Customer) {
    app.set_consumer_enabled("ProposalOnEventsFunction", false);
    assert!(app.stack.set_fault("SubmitProposalFunction", Fault { delay_ms: 0, fail: true }));
    let plan = save_plan(app, who).await;
    describe(app, who, &plan).await;
    let down = app.send_as(Some(&who.token), "POST", "/proposals", Some(&json!({"planNo": plan}))).await;
    assert!(down.status >= 500, "{down:?}");
    app.stack.set_fault("SubmitProposalFunction", Fault::default());
    app.set_consumer_enabled("ProposalOnEventsFunction", true);
    let proposal = apply(app, who, &plan).await;
    assert_eq!(proposal.len(), 14);
}
