//! SirenOrder's benchmark suite, against a fresh local stack, in five parts:
//!
//! 1. **init** of every function beside a hello-world `lambda_http` binary built in the same
//!    profile, run by run alternating ([`stack_test::bench::init`]), with binary sizes;
//! 2. **warm latency per route**, measured by the client over HTTP, from sequential rounds
//!    (register a customer, read it, add and change a product, place an order, read it, the
//!    menu and the counter's queue), and per function what the local stack measured;
//! 3. **event latency**: from the `POST /customers` answer to `CustomerRegistered` on its
//!    topic, and from sending `POST /orders` to the customer's waiting-number notification
//!    (`OrderWaited` on `NotificationsTopic`), one order at a time;
//! 4. **the seed's load test** replayed: `siege -c100 -t60S` on `POST /orders`, each client
//!    looping with a bearer token and a new `Idempotency-Key` per request (siege sends one
//!    fixed header, so it would measure replays); then, once the stack settled, every order
//!    answered 201 must have exactly one waiting-number ticket, and no number is given twice;
//! 5. **a backlog drain**: the order relay's stream mapping off while `--backlog` orders are
//!    placed, then on; the drain rate per tenth of the backlog (a rate that falls as history
//!    grows shows there) and the same exactly-once count.
//!
//! The functions run in the profile this program was built in: `cargo run --release` for
//! figures (what `sam build` deploys). Prints the report and writes it to
//! `systems/siren-order/docs/benchmarks.md`.
//!
//! Run: `cargo run --release -p siren-order --bin siren-order-bench [-- --help]`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use serde_json::{Value, json};
use siren_order::TestApp;
use stack_test::bench::{self, Latencies, percentile};

/// The seed's figures for its load test (`siege -c100 -t60S` on `POST /orders`, the circuit
/// breaker on).
const SEED_TRANS_PER_S: f64 = 11.28;
const SEED_AVAILABILITY: f64 = 36.98;

/// SirenOrder's benchmark suite: init per function, warm latency per route, event latency,
/// the seed's load test and a backlog drain, written to `systems/siren-order/docs/benchmarks.md`.
#[derive(Parser, Debug)]
#[command(name = "siren-order-bench")]
struct Args {
    /// Starts of each binary for the init table (alternating with hello-world).
    #[arg(long, default_value_t = 40)]
    init_runs: usize,
    /// Sequential rounds for the warm route latencies and the event latency.
    #[arg(long, default_value_t = 200)]
    rounds: usize,
    /// Clients of the seed's load test (`siege -c`).
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// Seconds of the seed's load test (`siege -t`).
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Orders in the backlog that drains (0 skips the drain).
    #[arg(long, default_value_t = 10_000)]
    backlog: usize,
    /// Clients placing the backlog.
    #[arg(long, default_value_t = 8)]
    backlog_clients: usize,
    /// Seconds to wait after the load and after the drain for every outbox item to be
    /// published (the counts are taken then, settled or not).
    #[arg(long, default_value_t = 180)]
    settle: u64,
    /// Most workers (concurrent invocations) per function in the local stack.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
}

/// One `POST /orders` of a load: its status, how long it took (ms), the order it made.
struct Placed {
    status: u16,
    millis: f64,
    order: Option<String>,
}

/// The JSON of an order of one `product` for `customer`.
fn order_body(customer: &str, product: &str) -> Value {
    json!({ "customerId": customer, "items": [{ "productId": product, "quantity": 1 }] })
}

/// Places orders with a new `Idempotency-Key` each until `until`, or `count` of them when
/// given, as each of `customers` in turn (starting at the `first`-th).
async fn client(
    app: Arc<TestApp>,
    customers: Arc<Vec<String>>,
    first: usize,
    product: String,
    until: Option<Instant>,
    count: usize,
) -> Vec<Placed> {
    let mut placed = Vec::new();
    let calls: Vec<(String, Value)> = customers.iter().map(|c| (app.token_of(c), order_body(c, &product))).collect();
    while until.map_or(placed.len() < count, |until| Instant::now() < until) {
        let (token, body) = &calls[(first + placed.len()) % calls.len()];
        let key = uuid::Uuid::new_v4().to_string();
        let started = Instant::now();
        let reply = app.place_order_as(Some(token), &key, body.clone()).await;
        placed.push(Placed {
            status: reply.status,
            millis: started.elapsed().as_secs_f64() * 1000.0,
            order: reply.body["orderId"].as_str().map(str::to_owned),
        });
    }
    placed
}

/// The counter's tickets (`Delivery` items) checked against `orders`: `"<n> of <orders>
/// exactly once, <m> more than once"` and how many waiting numbers were given twice on a
/// business day.
fn tickets(app: &TestApp, orders: &HashSet<String>) -> (String, usize) {
    let deliveries = bench::items(app, "DeliveryTable", "Delivery");
    let by_order = bench::count(deliveries.iter().map(|d| d["orderId"]["S"].as_str().unwrap_or_default().to_owned()));
    let numbers = bench::count(deliveries.iter().map(|d| format!("{}#{}", d["businessDay"], d["waitingNumber"])));
    (bench::once(&by_order, orders), numbers.values().filter(|n| **n > 1).count())
}

/// Messages in the system's dead-letter queues and the relay's failure queue.
async fn dead_letters(app: &TestApp) -> anyhow::Result<usize> {
    let mut total = 0;
    for queue in [
        "CustomerInboxQueueDeadLetterQueue",
        "OrderInboxQueueDeadLetterQueue",
        "DeliveryInboxQueueDeadLetterQueue",
        "NotificationInboxQueueDeadLetterQueue",
        "ReportInboxQueueDeadLetterQueue",
        "RelayFailureQueue",
    ] {
        total += bench::queue_depth(app, queue).await?;
    }
    Ok(total)
}

const OUTBOX_TABLES: [&str; 5] = ["CustomerTable", "ProductTable", "OrderTable", "DeliveryTable", "NotificationTable"];

/// Milliseconds since the Unix epoch.
fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

/// `p50 / p95 / p99 / max` of `sorted`, in whole milliseconds.
fn spread(sorted: &[f64]) -> String {
    format!(
        "p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        percentile(sorted, 50.0),
        percentile(sorted, 95.0),
        percentile(sorted, 99.0),
        sorted.last().copied().unwrap_or(f64::NAN)
    )
}

/// What the parts measured that the goals are judged by.
#[derive(Default)]
struct Figures {
    init_over: usize,
    init_functions: usize,
    worst_init_ratio: f64,
    notify_p99: f64,
    load_availability: f64,
    load_rate: f64,
    drain_rate: f64,
    drain_orders: usize,
}

/// Parts 2 and 3: sequential rounds over the routes, timing each request and the two event paths.
async fn rounds(app: &TestApp, rounds: usize, out: &mut String, figures: &mut Figures) -> anyhow::Result<()> {
    let mut routes = Latencies::default();
    let mut publish_latency = Vec::new();
    let mut notify_latency = Vec::new();
    let menu_item = app.product("House Blend", 4500).await;
    // One warm-up round's worth of cold starts is not what "warm" measures.
    let warm_up = app.customer("warm-up@example.com").await;
    let _ = app.place_order("warm-up", &warm_up, &[(&menu_item, 1)]).await;
    for round in 0..rounds {
        let started = Instant::now();
        let reply = app.register_customer("Bench", &format!("bench{round}@example.com")).await;
        routes.note("POST /customers", started);
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

        let started = Instant::now();
        let get = app.send_as(Some(&app.token_of(&id)), "GET", &format!("/customers/{id}"), None).await;
        routes.note("GET /customers/{customerId}", started);
        anyhow::ensure!(get.status == 200, "get customer failed: {get:?}");

        let started = Instant::now();
        let product = app.add_product(&format!("Blend {round}"), 4500).await;
        routes.note("POST /products", started);
        anyhow::ensure!(product.status == 201, "add product failed: {product:?}");
        let product_id = product.body["productId"].as_str().unwrap_or_default().to_owned();
        let started = Instant::now();
        let patch = app.send("PATCH", &format!("/products/{product_id}"), Some(&json!({ "price": 4800 }))).await;
        routes.note("PATCH /products/{productId}", started);
        anyhow::ensure!(patch.status == 200, "change product failed: {patch:?}");
        let started = Instant::now();
        let read = app.send("GET", &format!("/products/{product_id}"), None).await;
        routes.note("GET /products/{productId}", started);
        anyhow::ensure!(read.status == 200, "get product failed: {read:?}");

        let sent = Instant::now();
        let order = app.place_order(&format!("bench-{round}"), &id, &[(&menu_item, 1)]).await;
        routes.note("POST /orders", sent);
        anyhow::ensure!(order.status == 201, "order failed: {order:?}");
        let waited = |m: &[devstack::observe::PublishedMessage]| {
            m.iter().any(|m| m.attributes["customerId"] == id.as_str() && m.attributes["eventType"] == "OrderWaited")
        };
        let told = app.wait_for_messages("NotificationsTopic", Duration::from_secs(10), waited).await;
        anyhow::ensure!(waited(&told), "no waiting-number notification for {id}");
        notify_latency.push(sent.elapsed().as_secs_f64() * 1000.0);
        let order_id = order.body["orderId"].as_str().unwrap_or_default().to_owned();
        let started = Instant::now();
        let read = app.send_as(Some(&app.token_of(&id)), "GET", &format!("/orders/{order_id}"), None).await;
        routes.note("GET /orders/{orderId}", started);
        anyhow::ensure!(read.status == 200, "get order failed: {read:?}");

        if round % 10 == 0 {
            let started = Instant::now();
            let menu = app.send("GET", "/products", None).await;
            routes.note("GET /products", started);
            anyhow::ensure!(menu.status == 200, "menu failed: {menu:?}");
            let started = Instant::now();
            let queue = app.send("GET", "/deliveries?status=Waiting&limit=20", None).await;
            routes.note("GET /deliveries", started);
            anyhow::ensure!(queue.status == 200, "counter queue failed: {queue:?}");
        }
    }

    writeln!(out, "\n## Warm latency per route\n")?;
    writeln!(
        out,
        "{rounds} sequential rounds after one warm-up round, measured by the client end to end over HTTP \
         (API gateway, JWT check, function, DynamoDB emulator). Anchor: serverless-rust-demo on Lambda with \
         DynamoDB, warm p50 5.1 ms / p99 20.1 ms.\n"
    )?;
    out.push_str(&routes.table());
    writeln!(
        out,
        "\nPer function, what the local stack measured from the worker taking the event to its answer, \
         over the rounds above (cold starts are counted, not in the percentiles):\n"
    )?;
    out.push_str(&bench::function_table(app)?);

    let publish_latency = sorted(publish_latency);
    let notify_latency = sorted(notify_latency);
    figures.notify_p99 = percentile(&notify_latency, 99.0);
    writeln!(out, "\n## Event latency\n")?;
    writeln!(
        out,
        "- From the `POST /customers` answer to `CustomerRegistered` on its topic (outbox item -> table stream -> \
         relay -> SNS), {} events: {}.",
        publish_latency.len(),
        spread(&publish_latency)
    )?;
    writeln!(
        out,
        "- From sending `POST /orders` to the customer's waiting-number notification on `NotificationsTopic` \
         (place order -> outbox -> relay -> SNS -> SQS -> counter issues the number -> outbox -> relay -> SNS -> \
         SQS -> notification -> outbox -> relay -> SNS), {} orders one at a time: **{}** (goal: p99 <= 250 ms in \
         release).",
        notify_latency.len(),
        spread(&notify_latency)
    )?;
    Ok(())
}

/// Part 4: the seed's load test.
async fn load(app: &Arc<TestApp>, args: &Args, out: &mut String, figures: &mut Figures) -> anyhow::Result<()> {
    // The seed's shape: one bearer token, so one customer, for every client.
    let customers = Arc::new(vec![app.customer("load@example.com").await]);
    let product = app.product("Load Blend", 4500).await;
    let reports_before = app.stack.reports().len();
    let cpu_before = bench::cpu_seconds();
    let until = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.clients)
        .map(|_| tokio::spawn(client(Arc::clone(app), Arc::clone(&customers), 0, product.clone(), Some(until), 0)))
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.extend(task.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let placed: HashSet<String> = outcomes.iter().filter(|o| o.status == 201).filter_map(|o| o.order.clone()).collect();
    let (settled, pending) =
        bench::settle_within(app, &OUTBOX_TABLES, "NotificationsTopic", Duration::from_secs(args.settle)).await;
    let cpu = bench::cpu_seconds() - cpu_before;
    let reports = app.stack.reports();
    let busy = bench::busy_table(&reports[reports_before.min(reports.len())..]);

    let millis = sorted(outcomes.iter().map(|o| o.millis).collect());
    let ok = outcomes.iter().filter(|o| o.status == 201).count();
    figures.load_availability = 100.0 * ok as f64 / outcomes.len().max(1) as f64;
    figures.load_rate = outcomes.len() as f64 / elapsed;
    writeln!(out, "\n## The seed's load test: `siege -c{} -t{}S` on `POST /orders`\n", args.clients, args.seconds)?;
    writeln!(
        out,
        "Each of {} clients loops `POST /orders` (one product, quantity 1, one customer's bearer token, a new \
         `Idempotency-Key` each time) for {} s. Anchors: the seed answered {SEED_TRANS_PER_S} trans/s at \
         {SEED_AVAILABILITY} % availability (circuit breaker on); the food-delivery model answer 17.15 trans/s at \
         63.55 %. Goal: 100 % availability and at least 50x the seed ({:.0} trans/s) on this machine.\n",
        args.clients,
        args.seconds,
        SEED_TRANS_PER_S * 50.0
    )?;
    writeln!(
        out,
        "| transactions | availability | trans/s | vs seed | statuses | p50 (ms) | p99 (ms) | longest (ms) |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---|---:|---:|---:|")?;
    writeln!(
        out,
        "| {} | {:.2} % | {:.2} | {:.1}x | {} | {:.0} | {:.0} | {:.0} |",
        outcomes.len(),
        figures.load_availability,
        figures.load_rate,
        figures.load_rate / SEED_TRANS_PER_S,
        bench::statuses(outcomes.iter().map(|o| o.status)),
        percentile(&millis, 50.0),
        percentile(&millis, 99.0),
        millis.last().copied().unwrap_or(f64::NAN)
    )?;
    let (once, repeated) = tickets(app, &placed);
    writeln!(
        out,
        "\nAfterwards (counted {settled:.0} s after the load stopped, waiting for every outbox item to be \
         published and the notifications to stop changing; outbox items still pending then: {pending}, which the \
         sweep publishes after its grace, set to an hour here): orders answered 201: {}; waiting-number tickets: {once}; numbers given twice: \
         {repeated}; messages in dead-letter queues: {}.",
        placed.len(),
        dead_letters(app).await?
    )?;
    writeln!(
        out,
        "\nThe machine's CPU from the start of the load until the stack settled: {cpu:.1} core-seconds, {:.1} ms \
         per order answered 201 (every process: the clients, the stack, its emulators, every function). Where the \
         functions' time went (durations summed, init included):\n",
        1000.0 * cpu / placed.len().max(1) as f64
    )?;
    out.push_str(&busy);
    Ok(())
}

/// Part 5: a backlog of `args.backlog` orders placed with the order relay off, then drained.
async fn drain(app: &Arc<TestApp>, args: &Args, out: &mut String, figures: &mut Figures) -> anyhow::Result<()> {
    // A shop's backlog comes from many customers: one customer's orders all change that
    // customer's points, and concurrent consumers of one aggregate mostly conflict (the load
    // test above shows that shape).
    let mut customers = Vec::new();
    for n in 0..(args.backlog / 20).clamp(1, 500) {
        customers.push(app.customer(&format!("backlog{n}@example.com")).await);
    }
    let customers = Arc::new(customers);
    let product = app.product("Backlog Blend", 4500).await;
    app.set_consumer_enabled("OrderOutboxRelayFunction", false);
    let started = Instant::now();
    let per_client = args.backlog.div_ceil(args.backlog_clients.max(1));
    let tasks: Vec<_> = (0..args.backlog_clients.max(1))
        .map(|n| {
            let count = per_client.min(args.backlog.saturating_sub(n * per_client));
            tokio::spawn(client(Arc::clone(app), Arc::clone(&customers), n * per_client, product.clone(), None, count))
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.extend(task.await?);
    }
    let placing = started.elapsed().as_secs_f64();
    let placed: HashSet<String> = outcomes.iter().filter(|o| o.status == 201).filter_map(|o| o.order.clone()).collect();

    // Progress: the order context's PlacedToWaitingMs metric, one per order when its ticket's
    // OrderWaited came back to the order (the whole loop).
    let reports_before = app.stack.reports().len();
    let cpu_before = bench::cpu_seconds();
    let enabled_ms = now_ms();
    app.set_consumer_enabled("OrderOutboxRelayFunction", true);
    let waited = || -> Vec<u64> {
        let mut at: Vec<u64> =
            app.metrics("PlacedToWaitingMs").into_iter().map(|m| m.timestamp_ms).filter(|t| *t >= enabled_ms).collect();
        at.sort_unstable();
        at
    };
    let mut last = (0, Instant::now());
    let mut done = waited();
    while done.len() < placed.len() {
        if done.len() != last.0 {
            last = (done.len(), Instant::now());
        } else if last.1.elapsed() > Duration::from_secs(120) {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        done = waited();
    }
    let cpu = bench::cpu_seconds() - cpu_before;
    let reports = app.stack.reports();
    let busy = bench::busy_table(&reports[reports_before.min(reports.len())..]);
    let drained_s = done.last().map_or(f64::NAN, |t| (t - enabled_ms) as f64 / 1000.0);
    figures.drain_orders = placed.len();
    figures.drain_rate = done.len() as f64 / drained_s;
    let mut tenths = Vec::new();
    let mut previous = 0.0;
    for tenth in 1..=10 {
        let count = placed.len() * tenth / 10;
        if count == 0 || count > done.len() {
            break;
        }
        let at = (done[count - 1] - enabled_ms) as f64 / 1000.0;
        tenths.push(format!("{:.1}", (placed.len() as f64 / 10.0) / (at - previous).max(0.001)));
        previous = at;
    }
    let (settled, pending) =
        bench::settle_within(app, &OUTBOX_TABLES, "NotificationsTopic", Duration::from_secs(args.settle)).await;
    let (once, repeated) = tickets(app, &placed);
    writeln!(out, "\n## Backlog drain: {} orders\n", args.backlog)?;
    writeln!(
        out,
        "The order relay's stream mapping was off while {} clients placed {} orders of {} customers in turn ({} \
         answered 201 in {placing:.0} s, {:.1}/s); then it was turned on. The stack already held the history of the \
         parts above.\n",
        args.backlog_clients,
        args.backlog,
        customers.len(),
        placed.len(),
        placed.len() as f64 / placing
    )?;
    writeln!(
        out,
        "- drained: **{} of {} orders Waiting in {drained_s:.1} s, {:.1} orders/s**;",
        done.len(),
        placed.len(),
        figures.drain_rate
    )?;
    writeln!(out, "- orders/s per tenth of the backlog, in order: {};", tenths.join(", "))?;
    writeln!(
        out,
        "- afterwards ({settled:.0} s later; outbox items still pending then: {pending}): waiting-number tickets: {once}; numbers given twice: {repeated}; \
         messages in dead-letter queues: {}.",
        dead_letters(app).await?
    )?;
    writeln!(
        out,
        "\nThe machine's CPU during the drain: {cpu:.1} core-seconds, {:.1} ms per order. Where the functions' time \
         went (durations summed, init included):\n",
        1000.0 * cpu / done.len().max(1) as f64
    )?;
    out.push_str(&busy);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let system = siren_order::system();
    let mut out = String::new();
    let mut figures = Figures::default();
    writeln!(out, "# SirenOrder benchmarks\n")?;
    writeln!(
        out,
        "Written by `cargo run --release -p siren-order --bin siren-order-bench -- --init-runs {} --rounds {} \
         --clients {} --seconds {} --backlog {} --backlog-clients {} --settle {} --concurrency {}` on {}.\n\n\
         - machine: {}\n\
         - functions and local stack: **{}** build; at most {} workers per function (Lambda scales \
         further; this machine has {} cores for the stack, its emulators, the functions and the clients)\n\
         - the stack starts empty; the parts run one after another on it, so the later ones see the earlier \
         ones' history",
        args.init_runs,
        args.rounds,
        args.clients,
        args.seconds,
        args.backlog,
        args.backlog_clients,
        args.settle,
        args.concurrency,
        bench::today(),
        bench::machine(),
        bench::build_mode(),
        args.concurrency,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    )?;
    let parameters = HashMap::from([
        // The sweep republishes what the relay has not after this grace; the drain must
        // measure the relay, so the sweep waits an hour.
        ("OutboxSweepGraceSeconds".to_owned(), "3600".to_owned()),
    ]);
    let app = Arc::new(TestApp::with_app(bench::start(&system, parameters, args.concurrency).await));

    eprintln!("init: {} runs of each binary", args.init_runs);
    let inits = bench::init::measure(&app, bench::profile(), args.init_runs)?;
    (figures.init_over, figures.worst_init_ratio) = bench::init::over(&inits, 1.5);
    figures.init_functions = inits.len() - 1;
    out.push_str(&bench::init::section(&inits));

    eprintln!("rounds: {}", args.rounds);
    rounds(&app, args.rounds, &mut out, &mut figures).await?;
    eprintln!("load: {} clients for {} s", args.clients, args.seconds);
    load(&app, &args, &mut out, &mut figures).await?;
    if args.backlog > 0 {
        eprintln!("backlog: {} orders", args.backlog);
        drain(&app, &args, &mut out, &mut figures).await?;
    }

    let verdict = |met: bool| if met { "met" } else { "**not met**" };
    writeln!(out, "\n## Goals\n")?;
    writeln!(out, "| goal | this run | state |")?;
    writeln!(out, "|---|---|---|")?;
    writeln!(
        out,
        "| init within 1.5x hello-world, every function | {} of {} over, the worst {:.2}x | {} |",
        figures.init_over,
        figures.init_functions,
        figures.worst_init_ratio,
        verdict(figures.init_over == 0)
    )?;
    writeln!(
        out,
        "| `POST /orders` to the waiting-number notification p99 <= 250 ms | p99 {:.0} ms | {} |",
        figures.notify_p99,
        verdict(figures.notify_p99 <= 250.0)
    )?;
    writeln!(
        out,
        "| seed's load test: 100 % availability, >= {:.0} trans/s | {:.2} %, {:.1} trans/s ({:.1}x the seed) | {} |",
        SEED_TRANS_PER_S * 50.0,
        figures.load_availability,
        figures.load_rate,
        figures.load_rate / SEED_TRANS_PER_S,
        verdict(figures.load_availability >= 100.0 && figures.load_rate >= SEED_TRANS_PER_S * 50.0)
    )?;
    if args.backlog > 0 {
        writeln!(
            out,
            "| a {}-order backlog drains without slowing, each order once | {:.1} orders/s (per tenth above) | see \
             above |",
            figures.drain_orders, figures.drain_rate
        )?;
    }
    writeln!(out, "\nWhy a goal is not met, and the next step: [docs/performance.md](../../../docs/performance.md).")?;
    bench::write_report(&system, &out)?;
    Ok(())
}
