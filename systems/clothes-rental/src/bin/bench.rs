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
//! Run: `cargo run --bin clothes-rental-bench [-- CLIENTS:SECONDS ...]` (default `2:5 150:60`).
//! Prints the figures and writes them to `systems/clothes-rental/docs/benchmarks.md`.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clothes_rental::{Customer, TestApp};
use serde_json::{Value, json};

/// One request's outcome: which call, its status, how long it took.
struct Outcome {
    call: &'static str,
    status: u16,
    millis: f64,
    order: Option<String>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
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

/// Counts of what reached each place, by order id.
fn count(values: impl IntoIterator<Item = String>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    counts
}

fn events(app: &TestApp, topic: &str, kind: &str) -> BTreeMap<String, usize> {
    count(
        app.published(topic)
            .iter()
            .map(clothes_rental::event_of)
            .filter(|e| e["type"] == kind)
            .map(|e| e["data"]["orderId"].as_str().unwrap_or_default().to_owned()),
    )
}

fn items(app: &TestApp, table: &str, kind: &str) -> Vec<Value> {
    app.items(table).into_iter().filter(|i| i["kind"]["S"] == kind).collect()
}

/// Messages waiting in queue `logical_id` of the test stack.
async fn depth(app: &TestApp, logical_id: &str) -> anyhow::Result<usize> {
    let arn = format!("arn:aws:sqs:us-east-1:000000000000:test-{logical_id}");
    let url =
        app.stack.emulators.sqs.queue_url_for_arn(&arn).map_err(|err| anyhow::anyhow!("no queue {arn}: {err:?}"))?;
    let attributes = app
        .stack
        .emulators
        .sqs
        .get_queue_attributes(rustack_sqs_model::input::GetQueueAttributesInput {
            queue_url: url,
            attribute_names: vec!["ApproximateNumberOfMessages".to_owned()],
        })
        .await
        .map_err(|err| anyhow::anyhow!("{err:?}"))?;
    Ok(attributes.attributes.get("ApproximateNumberOfMessages").and_then(|n| n.parse().ok()).unwrap_or(0))
}

async fn run(clients: usize, seconds: u64, out: &mut String) -> anyhow::Result<()> {
    let app = Arc::new(TestApp::start().await);
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
    let settle = Instant::now();
    let mut last = (usize::MAX, Instant::now());
    loop {
        let pending: usize = ["OrderTable", "DeliveryTable", "NotificationTable"]
            .iter()
            .map(|table| items(&app, table, "OutboxEvent").iter().filter(|i| i["outboxPending"].is_object()).count())
            .sum();
        let mails = app.published("NotificationsTopic").len();
        if mails != last.0 {
            last = (mails, Instant::now());
        }
        let quiet = last.1.elapsed() > Duration::from_secs(5);
        if (pending == 0 && quiet) || settle.elapsed() > Duration::from_secs(900) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    let settled = settle.elapsed().as_secs_f64();

    writeln!(out, "\n## {clients} clients for {seconds} s (`siege -c{clients} -t{seconds}S`)\n")?;
    writeln!(out, "| call | requests | per second | statuses | median (ms) | p95 (ms) | p99 (ms) | max (ms) |")?;
    writeln!(out, "|---|---:|---:|---|---:|---:|---:|---:|")?;
    let mut total = 0;
    let mut ok = 0;
    for call in ["POST /orders", "POST /orders/{id}/cancel"] {
        let of_call: Vec<&Outcome> = outcomes.iter().filter(|o| o.call == call).collect();
        let mut millis: Vec<f64> = of_call.iter().map(|o| o.millis).collect();
        millis.sort_by(f64::total_cmp);
        let statuses = count(of_call.iter().map(|o| o.status.to_string()));
        total += of_call.len();
        ok += of_call.iter().filter(|o| o.status < 500).count();
        writeln!(
            out,
            "| `{call}` | {} | {:.1} | {} | {:.0} | {:.0} | {:.0} | {:.0} |",
            of_call.len(),
            of_call.len() as f64 / elapsed,
            statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect::<Vec<_>>().join(", "),
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
    let placed_events = events(&app, "OrderEventsTopic", "OrderPlaced");
    let cancelled_events = events(&app, "OrderEventsTopic", "OrderCancelled");
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
    let mail_orders = |kind: &str| {
        count(
            app.published("NotificationsTopic")
                .iter()
                .filter(|m| m.attributes.get("eventType").and_then(Value::as_str) == Some(kind))
                .map(|m| m.attributes.get("correlationId").and_then(Value::as_str).unwrap_or_default().to_owned()),
        )
    };
    let placed_mails = mail_orders("OrderPlaced");
    let cancelled_mails = mail_orders("OrderCancelled");
    let once = |counts: &BTreeMap<String, usize>, ids: &HashSet<String>| {
        let exact = ids.iter().filter(|id| counts.get(*id) == Some(&1)).count();
        let twice = counts.values().filter(|n| **n > 1).count();
        format!("{exact} of {} exactly once, {twice} more than once", ids.len())
    };
    let mut dead_letters = 0;
    for queue in [
        "OrderInboxQueueDeadLetterQueue",
        "DeliveryInboxQueueDeadLetterQueue",
        "MyPageInboxQueueDeadLetterQueue",
        "NotificationInboxQueueDeadLetterQueue",
        "RelayFailureQueue",
    ] {
        dead_letters += depth(&app, queue).await?;
    }
    writeln!(
        out,
        "\nExactly once, counted when every outbox was drained and the mails had stopped changing, {settled:.1} s after the load stopped ({} mails in all):\n",
        mails.len()
    )?;
    writeln!(out, "- orders answered 201: {}; `OrderPlaced`: {}", placed.len(), once(&placed_events, &placed))?;
    writeln!(
        out,
        "- at the delivery desk (a ticket, or a tombstone when the cancel arrived first): {} ({tickets} tickets, {tombstones} tombstones); my-page rows: {}",
        once(&records, &placed),
        once(&rows, &placed)
    )?;
    writeln!(out, "- \"ordered\" mails: {}", once(&placed_mails, &placed))?;
    writeln!(
        out,
        "- cancels answered 200: {}; `OrderCancelled`: {}",
        cancelled.len(),
        once(&cancelled_events, &cancelled)
    )?;
    writeln!(out, "- \"cancelled\" mails: {}", once(&cancelled_mails, &cancelled))?;
    writeln!(out, "- messages in dead-letter queues: {dead_letters}")?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: Vec<(usize, u64)> = {
        let given: Vec<String> = std::env::args().skip(1).collect();
        let given = if given.is_empty() { vec!["2:5".to_owned(), "150:60".to_owned()] } else { given };
        given
            .iter()
            .map(|run| {
                let (clients, seconds) =
                    run.split_once(':').ok_or_else(|| anyhow::anyhow!("{run}: CLIENTS:SECONDS"))?;
                Ok((clients.parse()?, seconds.parse()?))
            })
            .collect::<anyhow::Result<_>>()?
    };
    let mut out = String::new();
    writeln!(out, "# Load replay\n")?;
    writeln!(
        out,
        "Written by `cargo run --bin clothes-rental-bench -- {}` on {} against a fresh local stack per run \
         (debug build of the functions, {} cores shared with other work, at most 4 workers per function \
         as devstack's default concurrency). Each client loops `POST /orders` then `POST /orders/{{id}}/cancel` \
         (the seed's order update); latencies are measured by the client, end to end over HTTP.",
        runs.iter().map(|(c, s)| format!("{c}:{s}")).collect::<Vec<_>>().join(" "),
        today(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    )?;
    for (clients, seconds) in runs {
        run(clients, seconds, &mut out).await?;
    }
    print!("{out}");
    let path = clothes_rental::system().root().join("docs/benchmarks.md");
    std::fs::create_dir_all(path.parent().unwrap_or(std::path::Path::new(".")))?;
    std::fs::write(&path, out)?;
    eprintln!("written to {}", path.display());
    Ok(())
}

fn today() -> String {
    let output = std::process::Command::new("date").args(["-u", "+%Y-%m-%d"]).output();
    output.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned()).unwrap_or_default()
}
