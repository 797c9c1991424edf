//! Load replay: the seed's loads (`siege -c2 -t5S` and `siege -c150 -t60S` on order updates)
//! against a fresh local stack of Clothes rental, then the exactly-once count.
//!
//! Each simulated client loops for the run's duration: `POST /orders` (a new `Idempotency-Key`
//! each time), then the order update the seed hammered, `POST /orders/{id}/cancel` (the original
//! `PATCH /orders/{id} {"status": "Delivery Cancelled"}`). After each run the stack is left to
//! settle, and every effect is counted: each order answered 201 must have exactly one
//! `OrderPlaced`, one delivery ticket, one my-page row and one "ordered" mail; each cancel
//! answered 200 exactly one `OrderCancelled` and one "cancelled" mail; no dead letter.
//!
//! Run: `cargo run --release -p clothes-rental --bin clothes-rental-bench [-- CLIENTS:SECONDS ...]` (default `2:5 150:60`).
//! Prints the figures and writes them to `systems/clothes-rental/docs/benchmarks.md`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clothes_rental::{Customer, TestApp};
use serde_json::{Value, json};
use stack_test::bench::{self, count, items, percentile};

/// One request's outcome: which call, its status, how long it took.
struct Outcome {
    call: &'static str,
    status: u16,
    millis: f64,
    order: Option<String>,
}

/// One client: orders and cancels until `until`.
async fn client(app: Arc<TestApp>, customer: Customer, until: Instant) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    while Instant::now() < until {
        let key = uuid::Uuid::new_v4().to_string();
        let body = json!({ "productId": "1001", "qty": 1 });
        let started = Instant::now();
        let placed =
            app.send_with(Some(&customer.token), "POST", "/orders", &[("idempotency-key", &key)], Some(&body)).await;
        let order = placed.body["orderId"].as_str().map(str::to_owned);
        outcomes.push(Outcome {
            call: "POST /orders",
            status: placed.status,
            millis: started.elapsed().as_secs_f64() * 1000.0,
            order: order.clone(),
        });
        let Some(order) = order else { continue };
        let started = Instant::now();
        let cancelled = app.cancel(&customer, &order).await;
        outcomes.push(Outcome {
            call: "POST /orders/{id}/cancel",
            status: cancelled.status,
            millis: started.elapsed().as_secs_f64() * 1000.0,
            order: Some(order),
        });
    }
    outcomes
}

async fn run(clients: usize, seconds: u64, out: &mut String) -> anyhow::Result<()> {
    let app =
        Arc::new(TestApp::with_app(bench::start(&clothes_rental::system(), HashMap::new(), bench::WORKERS).await));
    // Warm every function once, so the run measures the warm path (cold starts are in the log).
    let warm = app.customer();
    let order = app.order_id(&warm, "1001", 1).await;
    anyhow::ensure!(app.cancel(&warm, &order).await.status == 200, "warm-up cancel failed");

    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients).map(|_| tokio::spawn(client(Arc::clone(&app), app.customer(), until))).collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.extend(task.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();

    // Let every event settle, then count effects.
    let placed: HashSet<String> = outcomes
        .iter()
        .filter(|o| o.call == "POST /orders" && o.status == 201)
        .filter_map(|o| o.order.clone())
        .collect();
    let cancelled: HashSet<String> = outcomes
        .iter()
        .filter(|o| o.call != "POST /orders" && o.status == 200)
        .filter_map(|o| o.order.clone())
        .collect();
    // Settle: until no outbox item is pending in any table and the mails stop changing (the
    // relays publish from the stream, their sweeps every minute what the stream gave up on).
    // The my-page rows are a read model: they end in a table, so their queue is waited out too.
    let settled = bench::settle_with_queues(
        &app,
        &["OrderTable", "DeliveryTable", "NotificationTable"],
        &["OrderInboxQueue", "DeliveryInboxQueue", "MyPageInboxQueue", "NotificationInboxQueue"],
        "NotificationsTopic",
    )
    .await;

    writeln!(out, "\n## {clients} clients for {seconds} s (`siege -c{clients} -t{seconds}S`)\n")?;
    writeln!(out, "| call | requests | per second | statuses | median (ms) | p95 (ms) | p99 (ms) | max (ms) |")?;
    writeln!(out, "|---|---:|---:|---|---:|---:|---:|---:|")?;
    let mut total = 0;
    let mut ok = 0;
    for call in ["POST /orders", "POST /orders/{id}/cancel"] {
        let of_call: Vec<&Outcome> = outcomes.iter().filter(|o| o.call == call).collect();
        let mut millis: Vec<f64> = of_call.iter().map(|o| o.millis).collect();
        millis.sort_by(f64::total_cmp);
        total += of_call.len();
        ok += of_call.iter().filter(|o| o.status < 500).count();
        writeln!(
            out,
            "| `{call}` | {} | {:.1} | {} | {:.0} | {:.0} | {:.0} | {:.0} |",
            of_call.len(),
            of_call.len() as f64 / elapsed,
            bench::statuses(of_call.iter().map(|o| o.status)),
            percentile(&millis, 50.0),
            percentile(&millis, 95.0),
            percentile(&millis, 99.0),
            millis.last().copied().unwrap_or(f64::NAN)
        )?;
    }
    writeln!(
        out,
        "\nAvailability (answers below 500): {:.2} % of {total} requests in {elapsed:.1} s.",
        100.0 * ok as f64 / total.max(1) as f64
    )?;

    // Exactly once, after {settled} s of settling.
    let placed_events = bench::events(&app, "OrderEventsTopic", "OrderPlaced", "orderId");
    let cancelled_events = bench::events(&app, "OrderEventsTopic", "OrderCancelled", "orderId");
    // Each placed order is one record at the delivery desk: its ticket, or the tombstone of a
    // cancel that reached delivery before its OrderPlaced did.
    let desk: Vec<Value> =
        items(&app, "DeliveryTable", "OrderAtDesk").into_iter().filter(|i| i["sk"]["S"] == "DELIVERY").collect();
    let tombstones = desk.iter().filter(|i| i["tombstone"]["BOOL"] == true).count();
    let records = count(desk.iter().map(|i| i["orderId"]["S"].as_str().unwrap_or_default().to_owned()));
    let tickets = items(&app, "DeliveryTable", "Ticket").len();
    let rows = count(
        items(&app, "MyPageTable", "MyPage").iter().map(|i| i["orderId"]["S"].as_str().unwrap_or_default().to_owned()),
    );
    let mails = app.mails();
    let placed_mails = bench::by_correlation(&app, "NotificationsTopic", "OrderPlaced");
    let cancelled_mails = bench::by_correlation(&app, "NotificationsTopic", "OrderCancelled");
    let mut dead_letters = 0;
    for queue in [
        "OrderInboxQueueDeadLetterQueue",
        "DeliveryInboxQueueDeadLetterQueue",
        "MyPageInboxQueueDeadLetterQueue",
        "NotificationInboxQueueDeadLetterQueue",
        "RelayFailureQueue",
    ] {
        dead_letters += bench::queue_depth(&app, queue).await?;
    }
    writeln!(
        out,
        "\nExactly once, counted when every outbox and inbox queue was drained and the mails had stopped changing, {settled:.1} s after the load stopped ({} mails in all):\n",
        mails.len()
    )?;
    writeln!(out, "- orders answered 201: {}; `OrderPlaced`: {}", placed.len(), bench::once(&placed_events, &placed))?;
    writeln!(
        out,
        "- at the delivery desk (a ticket, or a tombstone when the cancel arrived first): {} ({tickets} tickets, {tombstones} tombstones); my-page rows: {}",
        bench::once(&records, &placed),
        bench::once(&rows, &placed)
    )?;
    writeln!(out, "- \"ordered\" mails: {}", bench::once(&placed_mails, &placed))?;
    writeln!(
        out,
        "- cancels answered 200: {}; `OrderCancelled`: {}",
        cancelled.len(),
        bench::once(&cancelled_events, &cancelled)
    )?;
    writeln!(out, "- \"cancelled\" mails: {}", bench::once(&cancelled_mails, &cancelled))?;
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
    let runs = bench::runs(std::env::args().skip(1), &["2:5", "150:60"])?;
    let mut out = String::new();
    writeln!(out, "# Load replay\n")?;
    writeln!(
        out,
        "Written by `cargo run --release -p clothes-rental --bin clothes-rental-bench -- {}` on {} against a fresh local stack per run \
         ({} build of the functions and the stack; machine: {}; at most {} workers per function). Each client loops `POST /orders` then `POST /orders/{{id}}/cancel` \
         (the seed's order update); latencies are measured by the client, end to end over HTTP.",
        runs.iter().map(|(c, s)| format!("{c}:{s}")).collect::<Vec<_>>().join(" "),
        bench::today(),
        bench::build_mode(),
        bench::machine(),
        bench::WORKERS
    )?;
    let app = bench::start(&clothes_rental::system(), HashMap::new(), bench::WORKERS).await;
    out.push_str(&bench::init::section(&bench::init::measure(&app, bench::profile(), 20)?));
    drop(app);
    for (clients, seconds) in runs {
        run(clients, seconds, &mut out).await?;
    }
    bench::write_report(&clothes_rental::system(), &out)?;
    Ok(())
}
