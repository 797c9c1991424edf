//! Benchmark: what the local stack measures for SirenOrder's functions.
//!
//! Starts a fresh in-memory stack, registers customers and products and places orders over
//! HTTP, and reports per function the cold start (init and first invocation) and the warm
//! invocation durations (median, p95), how long a domain event takes from the HTTP answer
//! to its SNS publication (outbox -> stream -> relay -> SNS), and how long from
//! `POST /orders` to the customer's waiting-number notification.
//! Prints the figures and writes them to `docs/benchmarks.md`.
//!
//! Run: `cargo run -p siren-order --bin siren-order-bench [-- ROUNDS]` (default 200 rounds).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use serde_json::json;
use siren_order::TestApp;
use stack_test::bench::{self, percentile};

/// Durations of one function, in milliseconds.
#[derive(Default)]
struct Samples {
    /// Warm invocations.
    warm: Vec<f64>,
    /// Init durations of cold starts.
    inits: Vec<f64>,
    /// Durations of the first invocation after each cold start.
    firsts: Vec<f64>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(200);
    let app = TestApp::start().await;

    let mut publish_latency = Vec::new();
    let mut notify_latency = Vec::new();
    let menu_item = app.product("House Blend", 4500).await;
    for round in 0..rounds {
        let reply = app.register_customer("Bench", &format!("bench{round}@example.com")).await;
        anyhow::ensure!(reply.status == 201, "register failed: {reply:?}");
        let answered = Instant::now();
        let id = reply.body["customerId"].as_str().unwrap_or_default().to_owned();
        let messages = app
            .wait_for_messages("CustomerEventsTopic", Duration::from_secs(10), |m| {
                m.iter().any(|m| m.message.contains(&id))
            })
            .await;
        anyhow::ensure!(messages.iter().any(|m| m.message.contains(&id)), "event of {id} not published");
        publish_latency.push(answered.elapsed().as_secs_f64() * 1000.0);
        let get = app.send("GET", &format!("/customers/{id}"), None).await;
        anyhow::ensure!(get.status == 200, "get failed: {get:?}");
        let product = app.add_product(&format!("Blend {round}"), 4500).await;
        anyhow::ensure!(product.status == 201, "add product failed: {product:?}");
        let product_id = product.body["productId"].as_str().unwrap_or_default().to_owned();
        let patch = app.send("PATCH", &format!("/products/{product_id}"), Some(&json!({ "price": 4800 }))).await;
        anyhow::ensure!(patch.status == 200, "patch failed: {patch:?}");
        let sent = Instant::now();
        let order = app.place_order(&format!("bench-{round}"), &id, &[(&menu_item, 1)]).await;
        anyhow::ensure!(order.status == 201, "order failed: {order:?}");
        let told = app
            .wait_for_messages("NotificationsTopic", Duration::from_secs(10), |m| {
                m.iter()
                    .any(|m| m.attributes["customerId"] == id.as_str() && m.attributes["eventType"] == "OrderWaited")
            })
            .await;
        anyhow::ensure!(
            told.iter()
                .any(|m| m.attributes["customerId"] == id.as_str() && m.attributes["eventType"] == "OrderWaited"),
            "no waiting-number notification for {id}"
        );
        notify_latency.push(sent.elapsed().as_secs_f64() * 1000.0);
        if round % 10 == 0 {
            let menu = app.send("GET", "/products", None).await;
            anyhow::ensure!(menu.status == 200, "menu failed: {menu:?}");
        }
    }

    let mut by_function: BTreeMap<String, Samples> = BTreeMap::new();
    for report in app.stack.reports() {
        let samples = by_function.entry(report.function.clone()).or_default();
        match report.init_ms {
            Some(init) => {
                samples.inits.push(init);
                samples.firsts.push(report.duration_ms);
            }
            None => samples.warm.push(report.duration_ms),
        }
    }
    let mut out = String::new();
    writeln!(out, "# Local stack benchmark\n")?;
    writeln!(
        out,
        "Written by `cargo run -p siren-order --bin siren-order-bench -- {rounds}` on {} \
         (debug build of the functions, {} cores). Durations are what the local stack measured \
         from the worker taking the event to its answer; init is process start to the first \
         `next` call of the Lambda Runtime API.\n",
        bench::today(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    )?;
    writeln!(
        out,
        "| function | invocations | cold starts | init (ms, median) | first invocation (ms, median) | warm median (ms) | warm p95 (ms) |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|")?;
    for (function, mut samples) in by_function {
        let Samples { warm, inits, firsts } = &mut samples;
        for list in [&mut *warm, &mut *inits, &mut *firsts] {
            list.sort_by(f64::total_cmp);
        }
        writeln!(
            out,
            "| {function} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
            warm.len() + inits.len(),
            inits.len(),
            percentile(inits, 50.0),
            percentile(firsts, 50.0),
            percentile(warm, 50.0),
            percentile(warm, 95.0)
        )?;
    }
    publish_latency.sort_by(f64::total_cmp);
    writeln!(
        out,
        "\nFrom the `POST /customers` answer to `CustomerRegistered` seen on the topic (outbox item -> \
         table stream -> relay function -> SNS -> subscriber queue), {} events: median {:.0} ms, p95 {:.0} ms, max {:.0} ms. \
         The stream mapping polls when an invocation ends (else every 500 ms).",
        publish_latency.len(),
        percentile(&publish_latency, 50.0),
        percentile(&publish_latency, 95.0),
        publish_latency.last().copied().unwrap_or(f64::NAN)
    )?;
    notify_latency.sort_by(f64::total_cmp);
    writeln!(
        out,
        "\nFrom sending `POST /orders` to the customer's waiting-number notification on `NotificationsTopic` \
         (place order -> outbox -> relay -> SNS -> SQS -> counter issues the waiting number -> outbox -> relay -> SNS -> SQS -> \
         notification -> outbox -> relay -> SNS), {} orders: median {:.0} ms, p95 {:.0} ms, max {:.0} ms.",
        notify_latency.len(),
        percentile(&notify_latency, 50.0),
        percentile(&notify_latency, 95.0),
        notify_latency.last().copied().unwrap_or(f64::NAN)
    )?;
    bench::write_report(&siren_order::system(), &out)?;
    Ok(())
}
