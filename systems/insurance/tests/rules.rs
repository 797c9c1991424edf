//! Insurance's rules over HTTP on one local stack: every route without a token, with another
//! customer's token and with the wrong role; bad input on every route with a body or a query
//! (400 naming the field, nothing written); the pagination of every list route; and the sample
//! event batches delivered twice and out of order, changing nothing the second time.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use serde_json::{Value, json};
use stack_test::{Reply, TestApp};

const PATIENCE: Duration = Duration::from_secs(60);

struct Customer {
    no: String,
    token: String,
}

async fn register(app: &TestApp, name: &str) -> Customer {
    let token = app.token(&stack_test::new_subject(), &[], 3600);
    let body = json!({"name": name, "birthDate": "1985-03-15", "phone": "010-1234-5678"});
    let reply = app.send_as(Some(&token), "POST", "/customers", Some(&body)).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    Customer { no: reply.body["customerNo"].as_str().unwrap().to_owned(), token }
}

fn design(no: &str) -> Value {
    json!({"customerNo": no, "productCode": "P00000005", "sumInsured": 50_000_000, "insurancePeriodYears": 20,
        "paymentPeriodYears": 20, "paymentCycle": "Monthly"})
}

fn fields(reply: &Reply) -> Vec<String> {
    let mut named: Vec<String> = reply.body["errors"]
        .as_array()
        .map(|e| e.iter().map(|f| f["field"].as_str().unwrap_or_default().to_owned()).collect())
        .unwrap_or_default();
    named.sort();
    named
}

fn counts(app: &TestApp) -> Vec<usize> {
    ["ProductTable", "CustomerTable", "PlanTable", "ProposalTable", "PaymentTable"]
        .iter()
        .map(|t| app.items(t).len())
        .collect()
}

/// A product, two customers, a plan with its description and a proposal of the first.
async fn setup(app: &TestApp) -> (Customer, Customer, String, String) {
    let manager = app.token("auth0|product-team", &[insurance::PRODUCT_MANAGER], 3600);
    for (code, name) in [("P00000005", "(무)재해사망보장"), ("P00000006", "(무)암보장"), ("P00000007", "(무)실손보장")]
    {
        let product = json!({"productCode": code, "productName": name, "minEntryAge": 15, "maxEntryAge": 60,
            "maxSumInsured": 100_000_000, "premiumPerMillion": 1600});
        assert_eq!(app.send_as(Some(&manager), "POST", "/products", Some(&product)).await.status, 201);
    }
    let (a, b) = (register(app, "가나다").await, register(app, "라마바").await);
    for who in [&a, &b] {
        let body = design(&who.no);
        let known = stack_test::app::poll_until(
            PATIENCE,
            || app.send_as(Some(&who.token), "POST", "/plans/quote", Some(&body)),
            |r| r.status == 200,
        )
        .await;
        assert_eq!(known.status, 200, "{known:?}");
    }
    let saved = app.send_as(Some(&a.token), "POST", "/plans", Some(&design(&a.no))).await;
    let plan = saved.body["planNo"].as_str().unwrap().to_owned();
    assert_eq!(app.send_as(Some(&a.token), "POST", &format!("/plans/{plan}/description"), None).await.status, 202);
    let body = json!({"planNo": plan});
    let applied = stack_test::app::poll_until(
        PATIENCE,
        || app.send_as(Some(&a.token), "POST", "/proposals", Some(&body)),
        |r| r.status == 201,
    )
    .await;
    assert_eq!(applied.status, 201, "{applied:?}");
    let proposal = applied.body["proposalNo"].as_str().unwrap().to_owned();
    (a, b, plan, proposal)
}

#[tokio::test]
async fn auth_bad_input_pagination_and_events_twice() {
    let app = TestApp::start(&insurance::system()).await;
    let (a, b, plan, proposal) = setup(&app).await;
    let product_manager = app.token("auth0|product-team", &[insurance::PRODUCT_MANAGER], 3600);
    let desk = app.token("auth0|insurance-desk", &[insurance::INSURANCE_MANAGER], 3600);
    let pay = json!({"bankCode": "088", "accountNo": "110123456789", "accountHolder": "가나다"});
    let product = json!({"productCode": "P00000009", "productName": "x", "minEntryAge": 15, "maxEntryAge": 60,
        "maxSumInsured": 100_000_000, "premiumPerMillion": 1600});
    let (customer, mypages, msgs) =
        (format!("/customers/{}", a.no), format!("/mypages?customerNo={}", a.no), format!("/msgs?customerNo={}", a.no));
    let (plan_path, proposal_path) = (format!("/plans/{plan}"), format!("/proposals/{proposal}"));
    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("POST", "/products".into(), Some(product.clone())),
        ("PATCH", "/products/P00000005".into(), Some(json!({"status": "OnSale"}))),
        ("POST", "/customers".into(), Some(json!({"name": "x", "birthDate": "1985-03-15", "phone": "010-1234-5678"}))),
        ("GET", customer.clone(), None),
        ("POST", "/plans/quote".into(), Some(design(&a.no))),
        ("POST", "/plans".into(), Some(design(&a.no))),
        ("PUT", plan_path.clone(), Some(design(&a.no))),
        ("POST", format!("{plan_path}/description"), None),
        ("GET", plan_path.clone(), None),
        ("POST", "/proposals".into(), Some(json!({"planNo": plan}))),
        ("POST", format!("{proposal_path}/payment"), Some(pay.clone())),
        ("POST", format!("{proposal_path}/withdraw"), None),
        ("GET", proposal_path.clone(), None),
        ("GET", mypages.clone(), None),
        ("GET", msgs.clone(), None),
    ];
    let before = counts(&app);

    // No token: API Gateway's 401 on every route but the public product reads.
    for (method, path, body) in &routes {
        let reply = app.send_as(None, method, path, body.as_ref()).await;
        assert_eq!(reply.status, 401, "{method} {path}: {reply:?}");
    }
    for path in ["/products", "/products/P00000005"] {
        assert_eq!(app.send_as(None, "GET", path, None).await.status, 200, "{path} is public");
    }

    // Another customer's token: 404 (or 403 where the customer number is in the body or query).
    for (method, path, body) in &routes {
        if path.starts_with("/products") || path == "/customers" {
            continue;
        }
        let reply = app.send_as(Some(&b.token), method, path, body.as_ref()).await;
        let expected = if path.starts_with("/plans/quote")
            || path == "/plans"
            || path.starts_with("/mypages")
            || path.starts_with("/msgs")
        {
            403
        } else {
            404
        };
        assert_eq!(reply.status, expected, "B on {method} {path}: {reply:?}");
    }

    // The wrong role: a customer cannot manage products; managers cannot act as customers; the
    // product manager reads no customer data; the insurance manager reads everything.
    for (method, path, body) in &routes[..2] {
        assert_eq!(app.send_as(Some(&a.token), method, path, body.as_ref()).await.status, 403, "{method} {path}");
    }
    for (method, path, body) in
        routes.iter().filter(|(m, p, _)| *m != "GET" && !p.starts_with("/products") && p != "/customers")
    {
        for token in [&product_manager, &desk] {
            assert_eq!(app.send_as(Some(token), method, path, body.as_ref()).await.status, 403, "{method} {path}");
        }
    }
    for path in [&plan_path, &proposal_path, &mypages, &msgs] {
        assert_eq!(app.send_as(Some(&product_manager), "GET", path, None).await.status, 403, "{path}");
        assert_eq!(app.send_as(Some(&desk), "GET", path, None).await.status, 200, "the desk reads {path}");
    }
    assert_eq!(app.send_as(Some(&desk), "GET", &customer, None).await.status, 200);
    assert_eq!(app.send_as(Some(&desk), "GET", "/mypages", None).await.status, 200, "every row, for the desk");
    assert_eq!(app.send_as(Some(&a.token), "GET", "/mypages", None).await.status, 403, "a customer names themself");
    assert_eq!(counts(&app), before, "no refusal wrote anything");

    // Bad input: 400 naming the field, nothing written.
    let bad: Vec<(&str, String, &str, Value, Vec<&str>)> = vec![
        (
            "POST",
            "/products".into(),
            "pm",
            json!({"productCode": "P-5", "productName": "", "minEntryAge": -1, "maxEntryAge": 60, "maxSumInsured": 0, "premiumPerMillion": 1600}),
            vec!["maxSumInsured", "minEntryAge", "productCode", "productName"],
        ),
        (
            "PATCH",
            "/products/P00000005".into(),
            "pm",
            json!({"status": "Sold", "premiumPerMillion": 0}),
            vec!["premiumPerMillion", "status"],
        ),
        (
            "POST",
            "/customers".into(),
            "b",
            json!({"name": "x", "birthDate": "1985-13-45", "phone": "call me"}),
            vec!["birthDate", "phone"],
        ),
        (
            "POST",
            "/plans/quote".into(),
            "a",
            json!({"customerNo": "2", "productCode": "P00000005", "sumInsured": 1_500_000, "insurancePeriodYears": 20, "paymentPeriodYears": -1, "paymentCycle": "Yearly"}),
            vec!["customerNo", "paymentCycle", "paymentPeriodYears", "sumInsured"],
        ),
        (
            "POST",
            "/plans".into(),
            "a",
            json!({"customerNo": a.no, "productCode": "P 5", "sumInsured": 0, "insurancePeriodYears": 20, "paymentPeriodYears": 20}),
            vec!["paymentCycle", "productCode", "sumInsured"],
        ),
        (
            "PUT",
            plan_path.clone(),
            "a",
            json!({"customerNo": a.no, "sumInsured": 50_000_000, "insurancePeriodYears": 20, "paymentPeriodYears": 20, "paymentCycle": "Monthly"}),
            vec!["productCode"],
        ),
        ("POST", "/proposals".into(), "a", json!({"planNo": "123"}), vec!["planNo"]),
        (
            "POST",
            format!("{proposal_path}/payment"),
            "a",
            json!({"bankCode": "88", "accountNo": "110-123", "accountHolder": ""}),
            vec!["accountHolder", "accountNo", "bankCode"],
        ),
        ("GET", "/mypages?customerNo=12".into(), "a", Value::Null, vec!["customerNo"]),
        ("GET", "/msgs".into(), "a", Value::Null, vec!["customerNo"]),
        ("GET", "/products?limit=0".into(), "none", Value::Null, vec!["limit"]),
        ("GET", format!("/mypages?customerNo={}&nextToken=abc", a.no), "a", Value::Null, vec!["nextToken"]),
        ("GET", format!("/msgs?customerNo={}&limit=201", a.no), "a", Value::Null, vec!["limit"]),
    ];
    for (method, path, who, body, expected) in &bad {
        let token = match *who {
            "pm" => Some(product_manager.as_str()),
            "a" => Some(a.token.as_str()),
            "b" => Some(b.token.as_str()),
            _ => None,
        };
        let reply = app.send_as(token, method, path, (!body.is_null()).then_some(body)).await;
        assert_eq!(
            (reply.status, fields(&reply)),
            (400, expected.iter().map(|f| (*f).to_owned()).collect::<Vec<_>>()),
            "{method} {path}: {reply:?}"
        );
    }
    let not_json =
        app.send_text(Some(&a.token), "POST", "/plans", &[], Some(("application/json", "{".to_owned()))).await;
    assert_eq!(not_json.status, 400, "{not_json:?}");
    assert_eq!(counts(&app), before, "no bad input wrote anything");

    // Pagination of every list route: limit=1 pages through, nextToken null on the last page.
    let listed = page_through(&app, None, "/products?limit=1", "products").await;
    assert_eq!(listed, 3, "three products on sale");
    let second = app.send_as(Some(&a.token), "POST", "/plans", Some(&design(&a.no))).await;
    assert_eq!(second.status, 201);
    stack_test::app::poll_until(PATIENCE, || async { count(&app, &a, &mypages, "rows").await }, |n| *n == 2).await;
    assert_eq!(page_through(&app, Some(&a.token), &format!("{mypages}&limit=1"), "rows").await, 2);
    stack_test::app::poll_until(PATIENCE, || async { count(&app, &a, &msgs, "messages").await }, |n| *n == 2).await;
    assert_eq!(page_through(&app, Some(&a.token), &format!("{msgs}&limit=1"), "messages").await, 2);
    let other = format!("/msgs?customerNo={}&limit=1", a.no);
    let first = app.send_as(Some(&a.token), "GET", &other, None).await;
    let token = first.body["nextToken"].as_str().unwrap();
    let foreign = app.send_as(Some(&desk), "GET", &format!("/mypages?limit=1&nextToken={token}"), None).await;
    assert_eq!((foreign.status, fields(&foreign)), (400, vec!["nextToken".to_owned()]), "another list's token");

    // The sample batches twice and out of order: the second delivery changes nothing.
    // Each consumer's own table is compared: the first delivery's events reach the others later.
    for (function, file, table) in [
        ("MyPageOnEventsFunction", "sqs-mypage-events.json", "MyPageTable"),
        ("AlarmOnEventsFunction", "sqs-alarm-events.json", "AlarmTable"),
        ("ProposalOnEventsFunction", "sqs-proposal-reordered.json", "ProposalTable"),
        ("PlanOnEventsFunction", "sqs-plan-events.json", "PlanTable"),
        ("ProductOnPlanEventsFunction", "sqs-product-plan-events.json", "ProductTable"),
        ("PaymentOnProposalEventsFunction", "sqs-payment-proposal-events.json", "PaymentTable"),
    ] {
        let first = app.invoke_event(function, file).await.unwrap();
        assert_eq!(first["batchItemFailures"].as_array().map(Vec::len), Some(0), "{function} {file}: {first}");
        let once = app.items(table).len();
        let again = app.invoke_event(function, file).await.unwrap();
        assert_eq!(again["batchItemFailures"].as_array().map(Vec::len), Some(0), "{function} {file}: {again}");
        assert_eq!(app.items(table).len(), once, "{function} {file} twice");
    }
    let sample = "20261122093015";
    let rows: Vec<Value> =
        app.items("MyPageTable").into_iter().filter(|i| i["row"]["M"]["planNo"]["S"] == sample).collect();
    assert_eq!(rows.len(), 1, "one row for the sample plan");
    assert_eq!(rows[0]["row"]["M"]["progress"]["S"], "Withdrawn");
    // Product issued a real description for the sample plan too (another event): only the
    // batch's other occasions are counted.
    let mut sent: Vec<String> = app
        .items("AlarmTable")
        .into_iter()
        .filter(|i| i["kind"]["S"] == "Message" && i["planNo"]["S"] == sample)
        .map(|i| i["messageKind"]["S"].as_str().unwrap().to_owned())
        .filter(|kind| kind != "ProductDescriptionIssued")
        .collect();
    sent.sort();
    assert_eq!(sent, ["ContractConcluded", "PayCancelled", "ProposalSubmitted", "ProposalWithdrawn"], "none twice");
    let copy: Vec<Value> =
        app.items("ProposalTable").into_iter().filter(|i| i["pk"]["S"] == format!("COPY#{sample}")).collect();
    assert_eq!(
        (copy[0]["issuedVersion"]["N"].as_str(), copy[0]["latest"]["M"]["version"]["N"].as_str()),
        (Some("1"), Some("1")),
        "either order"
    );
}

async fn count(app: &TestApp, who: &Customer, path: &str, key: &str) -> usize {
    let reply = app.send_as(Some(&who.token), "GET", path, None).await;
    reply.body[key].as_array().map_or(0, Vec::len)
}

/// Follows `nextToken` from `first` until it is `null`; the number of items seen.
async fn page_through(app: &TestApp, token: Option<&str>, first: &str, key: &str) -> usize {
    let (mut seen, mut path) = (0, first.to_owned());
    for _ in 0..20 {
        let reply = app.send_as(token, "GET", &path, None).await;
        assert_eq!(reply.status, 200, "{path}: {reply:?}");
        seen += reply.body[key].as_array().unwrap().len();
        match reply.body["nextToken"].as_str() {
            None => return seen,
            Some(next) => path = format!("{first}&nextToken={next}"),
        }
    }
    panic!("more than 20 pages of {first}");
}
