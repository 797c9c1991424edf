//! Load replay: the seed's load test, `siege -c100 -t60S` against payment (the report's
//! autoscaling demo; the seed publishes no figures as text), as the whole pay path over HTTP
//! against a fresh local stack of Room promotion; then the exactly-once count.
//!
//! Each simulated client is a customer with a room of its own (so nights never collide): it
//! loops "reserve the next night, then pay it" (`POST /reservations`, then `POST
//! /reservations/{id}/pay`, each with a new `Idempotency-Key`) for the run's duration. After the
//! run the stack settles (every outbox drained, the notifications quiet), and every effect is
//! counted: each reservation answered 200 on pay must have exactly one approved payment, one
//! promotion (by the seed's rule: 50000 won a night, a `BEVERAGE` and 5000 points), end
//! `Confirmed`, and be announced once (`PromotionGranted` on the notifications topic).
//!
//! Run: `cargo run --release -p room-promotion --bin room-promotion-bench [-- CLIENTS:SECONDS ...]` (default `100:60`).
//! Prints the figures and writes them to `systems/room-promotion/docs/benchmarks.md`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use serde_json::{Value, json};
use stack_test::TestApp;
use stack_test::bench::{self, count, items, percentile};

struct Outcome {
    status: u16,
    millis: f64,
    reservation: Option<String>,
}

fn day(n: u64) -> String {
    let today = reservation::domain::today(Utc::now());
    today.checked_add_days(Days::new(n)).map(|d| d.to_string()).unwrap_or_default()
}

/// One client: reserve the next night of its room and pay it, until `until`.
async fn client(app: Arc<TestApp>, token: String, room: String, until: Instant) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut night = 1;
    while Instant::now() < until {
        night += 1;
        let body = json!({"roomId": room, "checkIn": day(night), "nights": 1});
        let key = uuid::Uuid::new_v4().to_string();
        let placed =
            app.send_with(Some(&token), "POST", "/reservations", &[("idempotency-key", &key)], Some(&body)).await;
        let Some(id) = placed.body["reservationId"].as_str().map(str::to_owned) else {
            outcomes.push(Outcome { status: placed.status, millis: 0.0, reservation: None });
            continue;
        };
        let key = uuid::Uuid::new_v4().to_string();
        let started = Instant::now();
        let paid = app
            .send_with(Some(&token), "POST", &format!("/reservations/{id}/pay"), &[("idempotency-key", &key)], None)
            .await;
        outcomes.push(Outcome {
            status: paid.status,
            millis: started.elapsed().as_secs_f64() * 1000.0,
            reservation: Some(id),
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
    let app = Arc::new(bench::start(&room_promotion::system(), HashMap::new(), bench::WORKERS).await);
    let manager = app.token("auth0|room-team", &[room_promotion::MANAGER], 3600);
    let mut rooms = Vec::new();
    for n in 0..clients {
        let body = json!({"name": format!("Standard {n:03}"), "pricePerNight": 50000});
        let reply = app.send_as(Some(&manager), "POST", "/rooms", Some(&body)).await;
        anyhow::ensure!(reply.status == 201, "room {n}: {reply:?}");
        rooms.push(reply.body["roomId"].as_str().unwrap_or_default().to_owned());
    }
    // Reservation knows rooms by event: wait until the last copy arrived.
    let warm = app.token(&stack_test::new_subject(), &[], 3600);
    let last = rooms.last().cloned().unwrap_or_default();
    let body = json!({"roomId": last, "checkIn": day(1), "nights": 1});
    let known = stack_test::app::poll_until(
        Duration::from_secs(120),
        || async { app.send_as(Some(&warm), "POST", "/reservations", Some(&body)).await },
        |r| r.status == 201,
    )
    .await;
    anyhow::ensure!(known.status == 201, "the rooms never reached reservation: {known:?}");

    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = rooms
        .iter()
        .map(|room| {
            tokio::spawn(client(
                Arc::clone(&app),
                app.token(&stack_test::new_subject(), &[], 7200),
                room.clone(),
                until,
            ))
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.extend(task.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let paid: HashSet<String> =
        outcomes.iter().filter(|o| o.status == 200).filter_map(|o| o.reservation.clone()).collect();

    let settled = bench::settle(
        &app,
        &["RoomTable", "ReservationTable", "PaymentTable", "PromotionTable", "NotificationTable"],
        "NotificationsTopic",
    )
    .await;

    writeln!(
        out,
        "\n## {clients} clients for {seconds} s (`siege -c{clients} -t{seconds}S`: reserve a night, then pay it)\n"
    )?;
    let mut millis: Vec<f64> = outcomes.iter().filter(|o| o.reservation.is_some()).map(|o| o.millis).collect();
    millis.sort_by(f64::total_cmp);
    writeln!(out, "| pay requests | per second | statuses | median (ms) | p95 (ms) | p99 (ms) | max (ms) |")?;
    writeln!(out, "|---:|---:|---|---:|---:|---:|---:|")?;
    writeln!(
        out,
        "| {} | {:.2} | {} | {:.0} | {:.0} | {:.0} | {:.0} |",
        millis.len(),
        millis.len() as f64 / elapsed,
        bench::statuses(outcomes.iter().map(|o| o.status)),
        percentile(&millis, 50.0),
        percentile(&millis, 95.0),
        percentile(&millis, 99.0),
        percentile(&millis, 100.0),
    )?;
    writeln!(
        out,
        "\nExactly once, counted when every outbox was drained and the notifications had stopped changing, {settled:.1} s after the load stopped:\n"
    )?;
    let of = |table: &str, kind: &str| {
        count(items(&app, table, kind).iter().map(|i| i["reservationId"]["S"].as_str().unwrap_or_default().to_owned()))
    };
    exactly_once("approved payments", &of("PaymentTable", "Payment"), &paid, out)?;
    exactly_once("promotions", &of("PromotionTable", "Promotion"), &paid, out)?;
    let announced = count(
        app.published("NotificationsTopic")
            .iter()
            .filter(|m| m.attributes.get("eventType").and_then(Value::as_str) == Some("PromotionGranted"))
            .map(|m| m.subject.clone().unwrap_or_default()),
    );
    let reservations = items(&app, "ReservationTable", "Reservation");
    let confirmed = reservations
        .iter()
        .filter(|r| {
            r["status"]["S"] == "Confirmed" && paid.contains(r["reservationId"]["S"].as_str().unwrap_or_default())
        })
        .count();
    let beverage = items(&app, "PromotionTable", "Promotion")
        .iter()
        .filter(|p| p["service"]["S"] == "BEVERAGE" && p["points"]["N"] == "5000")
        .count();
    writeln!(out, "- reservations paid (200) and `Confirmed`: {confirmed} of {}", paid.len())?;
    writeln!(out, "- promotions by the seed's rule (BEVERAGE, 5000 points for 50000 won): {beverage}")?;
    writeln!(out, "- `PromotionGranted` notifications: {}", announced.values().sum::<usize>())?;
    let dead: usize = outcomes.iter().filter(|o| o.status >= 500).count();
    writeln!(out, "- pay answers 5xx: {dead}")?;
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
    let mut out =
        String::from("# Load replay\n\nWritten by `cargo run --release -p room-promotion --bin room-promotion-bench`");
    writeln!(
        out,
        " on {} against a fresh local stack per run ({} build of the functions and the stack; machine: {}; at most {} workers per function). Latencies are the pay call's, measured by the client over HTTP. The seed publishes no figures as text (its siege summaries are screenshots).",
        bench::today(),
        bench::build_mode(),
        bench::machine(),
        bench::WORKERS
    )?;
    let app = bench::start(&room_promotion::system(), HashMap::new(), bench::WORKERS).await;
    out.push_str(&bench::init::section(&bench::init::measure(&app, bench::profile(), 20)?));
    drop(app);
    for (clients, seconds) in runs {
        run(clients, seconds, &mut out).await?;
    }
    bench::write_report(&room_promotion::system(), &out)?;
    Ok(())
}
