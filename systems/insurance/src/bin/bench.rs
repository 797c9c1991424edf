//! Load replay: the seed's load test with the breaker rule, `siege -c10 -t60S` against payment
//! (the report: 445 transactions, 84.28% availability, 7.46 trans/s, rejections as HTTP 500 in
//! 0.09-0.52 s), as the whole path to a payment over HTTP against a fresh local stack of
//! Insurance; then the exactly-once count.
//!
//! Each simulated client is a customer of its own: it loops "save a plan, ask for its
//! description, apply once the description reached proposal, pay the first premium" for the
//! run's duration; the pay call is timed. After the run the stack settles, and every effect is
//! counted: each proposal answered 200 on pay must have exactly one payment and end `Contracted`;
//! a 503 whose payment completed late must be `Contracted` by `PayApproved` with one payment too.
//!
//! Run: `cargo run --release -p insurance --bin insurance-bench [-- CLIENTS:SECONDS ...]` (default `10:60`). Prints the
//! figures and writes them to `systems/insurance/docs/benchmarks.md`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use stack_test::TestApp;
use stack_test::bench::{self, count, items, percentile};

struct Outcome {
    status: u16,
    millis: f64,
    proposal: Option<String>,
}

/// One client (customer `no` with `token`): plan, description, proposal, payment, until `until`.
async fn client(app: Arc<TestApp>, (no, token): (String, String), until: Instant) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let design = json!({"customerNo": no, "productCode": "P00000005", "sumInsured": 50_000_000,
        "insurancePeriodYears": 20, "paymentPeriodYears": 20, "paymentCycle": "Monthly"});
    while Instant::now() < until {
        let saved = app.send_as(Some(&token), "POST", "/plans", Some(&design)).await;
        let Some(plan) = saved.body["planNo"].as_str().map(str::to_owned) else {
            outcomes.push(Outcome { status: saved.status, millis: 0.0, proposal: None });
            continue;
        };
        app.send_as(Some(&token), "POST", &format!("/plans/{plan}/description"), None).await;
        let body = json!({"planNo": plan});
        let applied = stack_test::app::poll_until(
            Duration::from_secs(30),
            || app.send_as(Some(&token), "POST", "/proposals", Some(&body)),
            |r| r.status == 201,
        )
        .await;
        let Some(proposal) = applied.body["proposalNo"].as_str().map(str::to_owned) else {
            outcomes.push(Outcome { status: applied.status, millis: 0.0, proposal: None });
            continue;
        };
        let account = json!({"bankCode": "088", "accountNo": "110123456789", "accountHolder": "양건우"});
        let started = Instant::now();
        let paid = app.send_as(Some(&token), "POST", &format!("/proposals/{proposal}/payment"), Some(&account)).await;
        outcomes.push(Outcome {
            status: paid.status,
            millis: started.elapsed().as_secs_f64() * 1000.0,
            proposal: Some(proposal),
        });
    }
    outcomes
}

fn exactly_once(
    label: &str,
    counts: &BTreeMap<String, usize>,
    expected: &HashSet<String>,
    out: &mut String,
) -> anyhow::Result<()> {
    let once = expected.iter().filter(|id| counts.get(*id) == Some(&1)).count();
    let more = expected.iter().filter(|id| counts.get(*id).is_some_and(|n| *n > 1)).count();
    writeln!(out, "- {label}: {once} of {} exactly once, {more} more than once", expected.len())?;
    Ok(())
}

async fn run(clients: usize, seconds: u64, out: &mut String) -> anyhow::Result<()> {
    let app = Arc::new(bench::start(&insurance::system(), HashMap::new(), bench::WORKERS).await);
    let manager = app.token("auth0|product-team", &[insurance::PRODUCT_MANAGER], 3600);
    let product = json!({"productCode": "P00000005", "productName": "(무)재해사망보장", "minEntryAge": 15,
        "maxEntryAge": 60, "maxSumInsured": 100_000_000, "premiumPerMillion": 1600});
    anyhow::ensure!(app.send_as(Some(&manager), "POST", "/products", Some(&product)).await.status == 201);
    let mut customers = Vec::new();
    for n in 0..clients {
        let token = app.token(&stack_test::new_subject(), &[], 7200);
        let body = json!({"name": format!("고객{n:03}"), "birthDate": "1985-03-15", "phone": "010-1234-5678"});
        let reply = app.send_as(Some(&token), "POST", "/customers", Some(&body)).await;
        anyhow::ensure!(reply.status == 201, "customer {n}: {reply:?}");
        customers.push((reply.body["customerNo"].as_str().unwrap_or_default().to_owned(), token));
    }
    // Plan knows customers by event: wait until the last one arrived.
    let (last, token) = customers.last().cloned().unwrap_or_default();
    let body = json!({"customerNo": last, "productCode": "P00000005", "sumInsured": 50_000_000,
        "insurancePeriodYears": 20, "paymentPeriodYears": 20, "paymentCycle": "Monthly"});
    let known = stack_test::app::poll_until(
        Duration::from_secs(120),
        || app.send_as(Some(&token), "POST", "/plans/quote", Some(&body)),
        |r| r.status == 200,
    )
    .await;
    anyhow::ensure!(known.status == 200, "the customers never reached plan: {known:?}");

    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = customers.into_iter().map(|c| tokio::spawn(client(Arc::clone(&app), c, until))).collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.extend(task.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let paid: HashSet<String> =
        outcomes.iter().filter(|o| o.status == 200).filter_map(|o| o.proposal.clone()).collect();
    let tried: HashSet<String> = outcomes.iter().filter_map(|o| o.proposal.clone()).collect();
    let settled = bench::settle(
        &app,
        &["ProductTable", "CustomerTable", "PlanTable", "ProposalTable", "PaymentTable", "AlarmTable"],
        "NotificationsTopic",
    )
    .await;

    writeln!(
        out,
        "\n## {clients} clients for {seconds} s (`siege -c{clients} -t{seconds}S`: plan, description, proposal, then pay)\n"
    )?;
    let mut millis: Vec<f64> = outcomes.iter().filter(|o| o.proposal.is_some()).map(|o| o.millis).collect();
    millis.sort_by(f64::total_cmp);
    let ok = millis.len().max(1);
    writeln!(
        out,
        "| pay requests | per second | availability | statuses | median (ms) | p95 (ms) | p99 (ms) | max (ms) |"
    )?;
    writeln!(out, "|---:|---:|---:|---|---:|---:|---:|---:|")?;
    writeln!(
        out,
        "| {} | {:.2} | {:.2}% | {} | {:.0} | {:.0} | {:.0} | {:.0} |",
        millis.len(),
        millis.len() as f64 / elapsed,
        paid.len() as f64 * 100.0 / ok as f64,
        bench::statuses(outcomes.iter().filter(|o| o.proposal.is_some()).map(|o| o.status)),
        percentile(&millis, 50.0),
        percentile(&millis, 95.0),
        percentile(&millis, 99.0),
        percentile(&millis, 100.0),
    )?;
    let mut refused: Vec<f64> =
        outcomes.iter().filter(|o| o.proposal.is_some() && o.status == 503).map(|o| o.millis).collect();
    refused.sort_by(f64::total_cmp);
    if !refused.is_empty() {
        writeln!(
            out,
            "\nRefusals (503 + `Retry-After`) answered in {:.0}-{:.0} ms.",
            refused[0],
            refused[refused.len() - 1]
        )?;
    }
    writeln!(
        out,
        "\nExactly once, counted when every outbox was drained and the notifications had stopped changing, {settled:.1} s after the load stopped:\n"
    )?;
    let payments = count(
        items(&app, "PaymentTable", "Payment")
            .iter()
            .map(|i| i["proposalNo"]["S"].as_str().unwrap_or_default().to_owned()),
    );
    exactly_once("payments of the proposals paid (200)", &payments, &paid, out)?;
    let contracted: HashSet<String> = items(&app, "ProposalTable", "Proposal")
        .iter()
        .filter(|p| p["status"]["S"] == "Contracted")
        .map(|p| p["proposalNo"]["S"].as_str().unwrap_or_default().to_owned())
        .collect();
    exactly_once("payments of every Contracted proposal (200 or reconciled)", &payments, &contracted, out)?;
    let late = contracted.iter().filter(|p| !paid.contains(*p) && tried.contains(*p)).count();
    writeln!(out, "- proposals answered 503 whose payment completed late, Contracted by `PayApproved`: {late}")?;
    let concluded = count(
        app.published("NotificationsTopic")
            .iter()
            .filter(|m| m.attributes.get("eventType").and_then(serde_json::Value::as_str) == Some("ContractConcluded"))
            .map(|m| m.message.clone()),
    );
    writeln!(
        out,
        "- `ContractConcluded` messages: {} (for {} contracts), none twice: {}",
        concluded.values().sum::<usize>(),
        contracted.len(),
        concluded.values().all(|n| *n == 1)
    )?;
    writeln!(
        out,
        "- payments without a Contracted proposal: {}",
        payments.keys().filter(|p| !contracted.contains(*p)).count()
    )?;
    writeln!(
        out,
        "\nPer function, what the local stack measured over this run (the worker taking the event to its answer):\n"
    )?;
    out.push_str(&bench::function_table(&app)?);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs = bench::runs(std::env::args().skip(1), &["10:60"])?;
    let mut out = String::from("# Load replay\n\nWritten by `cargo run --release -p insurance --bin insurance-bench`");
    writeln!(
        out,
        " on {} against a fresh local stack per run ({} build of the functions and the stack; machine: {}; at most {} workers per function). Latencies are the pay call's, measured by the client over HTTP. The seed's run with the breaker rule: `siege -c10 -t60S`, 445 transactions, availability 84.28%, 7.46 trans/s, rejections as HTTP 500 in 0.09-0.52 s (against `getCntr` with Istio's pool of one pending request on payment).",
        bench::today(),
        bench::build_mode(),
        bench::machine(),
        bench::WORKERS
    )?;
    let app = bench::start(&insurance::system(), HashMap::new(), bench::WORKERS).await;
    out.push_str(&bench::init::section(&bench::init::measure(&app, bench::profile(), 20)?));
    drop(app);
    for (clients, seconds) in runs {
        run(clients, seconds, &mut out).await?;
    }
    bench::write_report(&insurance::system(), &out)?;
    Ok(())
}
