//! Load replay: the seed's load test, `siege -c100 -t60S -r10 --content-type
//! "application/json" '<base>/orders POST {"item": "chicken"}'`, with a bearer token and a unique
//! `Idempotency-Key` per request, against a fresh local stack of Food delivery; then the
//! exactly-once count.
//!
//! Each simulated client loops `POST /orders {"item": "chicken"}` for the run's duration. After
//! the run the stack is left to settle, and every effect is counted: each order answered 201
//! must have exactly one `OrderPlaced`, one approved payment (`PaymentApproved`) that stands,
//! one store order and one "placed" notification; each order answered 503 no standing payment
//! and no store order; no dead letter.
//!
//! Run: `cargo run --release -p food-delivery --bin food-delivery-bench [-- CLIENTS:SECONDS ...]` (default `100:60`).
//! Prints the figures and writes them to `systems/food-delivery/docs/benchmarks.md`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use food_delivery::{Customer, TestApp};
use serde_json::json;
use stack_test::bench::{self, count, items, percentile};

/// One request's outcome: its status, how long it took, the order it made.
struct Outcome {
    status: u16,
    millis: f64,
    order: Option<String>,
}

/// One client: the report's request, again and again until `until`.
async fn client(app: Arc<TestApp>, customer: Customer, until: Instant) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let body = json!({ "item": "chicken" });
    while Instant::now() < until {
        let key = uuid::Uuid::new_v4().to_string();
        let started = Instant::now();
        let placed =
            app.send_with(Some(&customer.token), "POST", "/orders", &[("idempotency-key", &key)], Some(&body)).await;
        outcomes.push(Outcome {
            status: placed.status,
            millis: started.elapsed().as_secs_f64() * 1000.0,
            order: placed.body["orderId"].as_str().map(str::to_owned),
        });
    }
    outcomes
}

async fn run(clients: usize, seconds: u64, out: &mut String) -> anyhow::Result<()> {
    let app = Arc::new(TestApp::with_app(bench::start(&food_delivery::system(), HashMap::new(), bench::WORKERS).await));
    anyhow::ensure!(app.add_item("chicken", 18000).await.status == 201, "chicken could not be put on the menu");
    // Warm the order path once, so the run measures the warm path.
    let warm = app.customer();
    app.order_id(&warm, "chicken", 1).await;

    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients).map(|_| tokio::spawn(client(Arc::clone(&app), app.customer(), until))).collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.extend(task.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let placed: HashSet<String> = outcomes.iter().filter(|o| o.status == 201).filter_map(|o| o.order.clone()).collect();

    // Settle: until no outbox item is pending in any table and the notifications stop changing.
    let settled =
        bench::settle(&app, &["OrderTable", "PaymentTable", "StoreTable", "CustomerTable"], "NotificationsTopic").await;

    writeln!(
        out,
        "\n## {clients} clients for {seconds} s (`siege -c{clients} -t{seconds}S` on `POST /orders {{\"item\": \"chicken\"}}`)\n"
    )?;
    let mut millis: Vec<f64> = outcomes.iter().map(|o| o.millis).collect();
    millis.sort_by(f64::total_cmp);
    let answered = |status: u16| {
        let mut of: Vec<f64> = outcomes.iter().filter(|o| o.status == status).map(|o| o.millis).collect();
        of.sort_by(f64::total_cmp);
        of
    };
    writeln!(out, "| requests | per second | statuses | median (ms) | p95 (ms) | p99 (ms) | max (ms) |")?;
    writeln!(out, "|---:|---:|---|---:|---:|---:|---:|")?;
    writeln!(
        out,
        "| {} | {:.2} | {} | {:.0} | {:.0} | {:.0} | {:.0} |",
        outcomes.len(),
        outcomes.len() as f64 / elapsed,
        bench::statuses(outcomes.iter().map(|o| o.status)),
        percentile(&millis, 50.0),
        percentile(&millis, 95.0),
        percentile(&millis, 99.0),
        millis.last().copied().unwrap_or(f64::NAN)
    )?;
    let ok = answered(201);
    let refused = answered(503);
    writeln!(
        out,
        "\nAvailability (201): {:.2} % of {} requests in {elapsed:.1} s ({:.2} orders a second). 201 answers took \
         {:.0}-{:.0} ms (median {:.0}); 503 answers (pay not in time, no order and no charge) {}.",
        100.0 * ok.len() as f64 / outcomes.len().max(1) as f64,
        outcomes.len(),
        ok.len() as f64 / elapsed,
        ok.first().copied().unwrap_or(f64::NAN),
        ok.last().copied().unwrap_or(f64::NAN),
        percentile(&ok, 50.0),
        if refused.is_empty() {
            "none".to_owned()
        } else {
            format!("{} in {:.0}-{:.0} ms", refused.len(), refused[0], refused[refused.len() - 1])
        }
    )?;

    let placed_events = bench::events(&app, "OrderEventsTopic", "OrderPlaced", "orderId");
    let approved = bench::events(&app, "PaymentEventsTopic", "PaymentApproved", "orderId");
    let cancelled = bench::events(&app, "PaymentEventsTopic", "PaymentCancelled", "orderId");
    let standing: BTreeMap<String, usize> = approved
        .iter()
        .filter(|(order, _)| !cancelled.contains_key(*order))
        .map(|(order, n)| (order.clone(), *n))
        .collect();
    let store_orders = count(
        items(&app, "StoreTable", "StoreOrder")
            .iter()
            .map(|i| i["orderId"]["S"].as_str().unwrap_or_default().to_owned()),
    );
    let told = bench::by_correlation(&app, "NotificationsTopic", "OrderPlaced");
    // Payments that stand without a placed order, and store orders of orders not placed.
    let stray_payments = standing.keys().filter(|o| !placed.contains(*o)).count();
    let stray_store_orders = store_orders.keys().filter(|o| !placed.contains(*o)).count();
    let mut dead_letters = 0;
    for queue in [
        "OrderInboxQueueDeadLetterQueue",
        "PaymentInboxQueueDeadLetterQueue",
        "StoreInboxQueueDeadLetterQueue",
        "CustomerInboxQueueDeadLetterQueue",
        "RelayFailureQueue",
    ] {
        dead_letters += bench::queue_depth(&app, queue).await?;
    }
    // The warm-up order is one placed order outside the run.
    writeln!(
        out,
        "\nExactly once, counted when every outbox was drained and the notifications had stopped changing, \
         {settled:.1} s after the load stopped:\n"
    )?;
    writeln!(out, "- orders answered 201: {}; `OrderPlaced`: {}", placed.len(), bench::once(&placed_events, &placed))?;
    writeln!(out, "- payments approved and standing: {}", bench::once(&standing, &placed))?;
    writeln!(out, "- store orders: {}", bench::once(&store_orders, &placed))?;
    writeln!(out, "- \"placed\" notifications: {}", bench::once(&told, &placed))?;
    writeln!(
        out,
        "- outside the 201 orders (besides the warm-up order): {} standing payments, {} store orders; voided payments: {}",
        stray_payments.saturating_sub(1),
        stray_store_orders.saturating_sub(1),
        cancelled.len()
    )?;
    writeln!(out, "- messages in dead-letter queues: {dead_letters}")?;
    writeln!(
        out,
        "\nPer function, what the local stack measured over this run (the worker taking the event to its answer):\n"
    )?;
    out.push_str(&bench::function_table(&app)?);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs = bench::runs(std::env::args().skip(1), &["100:60"])?;
    let mut out = String::new();
    writeln!(out, "# Load replay\n")?;
    writeln!(
        out,
        "Written by `cargo run --release -p food-delivery --bin food-delivery-bench -- {}` on {} against a fresh local stack per run \
         ({} build of the functions and the stack; machine: {}; at most {} workers per function, pay's reserved concurrency 10). Each client loops the seed's \
         request, `POST /orders {{\"item\": \"chicken\"}}`, with a bearer token and a new `Idempotency-Key` \
         each time; latencies are measured by the client, end to end over HTTP. The original's figures \
         (Hystrix 610 ms, pay slowed to 400-620 ms): 1025 hits, 17.15 trans/s, 63.55 % available, failures \
         HTTP 500 after 1.23-5.03 s.",
        runs.iter().map(|(c, s)| format!("{c}:{s}")).collect::<Vec<_>>().join(" "),
        bench::today(),
        bench::build_mode(),
        bench::machine(),
        bench::WORKERS
    )?;
    let app = bench::start(&food_delivery::system(), HashMap::new(), bench::WORKERS).await;
    out.push_str(&bench::init::section(&bench::init::measure(&app, bench::profile(), 20)?));
    drop(app);
    for (clients, seconds) in runs {
        run(clients, seconds, &mut out).await?;
    }
    bench::write_report(&food_delivery::system(), &out)?;
    Ok(())
}
