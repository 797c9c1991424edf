//! Fault drills: what an operator's worst day does to SirenOrder, over HTTP on the local
//! stack. Each drill asserts outcomes from the tables, never durations: every order that
//! exists ends with exactly one delivery and one waiting number (none repeated), the
//! customer's points are exact, there is one waiting-number notification per order, and
//! nothing is left in a dead-letter queue that should not be.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use siren_order::TestApp;
use stack_test::{StackProcess, poll_until};

/// How long a drill waits for the system to settle after the fault is gone.
const SETTLE: Duration = Duration::from_secs(60);
/// A product's price, and the points one order of it earns (10 % by default).
const PRICE: i64 = 4500;
const POINTS_PER_ORDER: i64 = 450;
const WELCOME_POINTS: i64 = 1000;

/// The outbox sweep of the process drills: every 2 s for items pending 5 s, so an event whose
/// relay died mid-publish (its claim expires after `platform::relay::LEASE`) goes out within
/// the drill's patience; the template's defaults are a minute each.
const FAST_SWEEP: [&str; 4] =
    ["--parameter", "OutboxSweepSchedule=rate(2 seconds)", "--parameter", "OutboxSweepGraceSeconds=5"];

fn start(dir: &std::path::Path) -> StackProcess {
    StackProcess::try_start(&siren_order::system(), dir, &FAST_SWEEP).unwrap_or_else(|err| panic!("{err}"))
}

fn state_dir(drill: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("siren-order-drill-{drill}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A customer (token, id) and a product id on a stack process.
async fn shop(stack: &StackProcess) -> (String, String, String) {
    let sub = stack_test::new_subject();
    let token = stack.token(&sub, &[]).await;
    let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
    let registered =
        stack.send(Some(&token), "POST", "/customers", &[], Some(&json!({ "name": "Kim", "email": email }))).await;
    assert_eq!(registered.status, 201, "{registered:?}");
    let owner = stack.token("owner|drills", &["owner"]).await;
    let added =
        stack.send(Some(&owner), "POST", "/products", &[], Some(&json!({ "name": "Americano", "price": PRICE }))).await;
    assert_eq!(added.status, 201, "{added:?}");
    (token, sub, added.body["productId"].as_str().unwrap().to_owned())
}

/// `POST /orders` that tolerates a stack going away mid-request: `None` when no answer came.
async fn try_place(api_url: &str, token: &str, key: &str, product: &str) -> Option<u16> {
    let body = json!({ "items": [{ "productId": product, "quantity": 1 }] });
    let sent = reqwest::Client::new()
        .post(format!("{api_url}/orders"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(body.to_string())
        .timeout(Duration::from_secs(20))
        .send()
        .await;
    sent.ok().map(|response| response.status().as_u16())
}

/// What the tables say about one customer's orders once everything settled.
#[derive(Debug)]
struct Outcome {
    orders: usize,
    waiting: usize,
    deliveries_per_order: BTreeMap<String, usize>,
    numbers: Vec<i64>,
    points: i64,
    waiting_notifications: BTreeMap<String, usize>,
}

fn s(item: &Value, key: &str) -> String {
    item[key]["S"].as_str().unwrap_or_default().to_owned()
}

fn n(item: &Value, key: &str) -> i64 {
    item[key]["N"].as_str().and_then(|v| v.parse().ok()).unwrap_or(-1)
}

async fn outcome(stack: &StackProcess, customer: &str) -> Outcome {
    let orders: Vec<Value> = stack
        .items("OrderTable")
        .await
        .into_iter()
        .filter(|i| s(i, "kind") == "Order" && s(i, "customerId") == customer)
        .collect();
    let ids: BTreeSet<String> = orders.iter().map(|o| s(o, "orderId")).collect();
    let deliveries: Vec<Value> = stack
        .items("DeliveryTable")
        .await
        .into_iter()
        .filter(|i| s(i, "kind") == "Delivery" && ids.contains(&s(i, "orderId")))
        .collect();
    let mut deliveries_per_order = BTreeMap::new();
    for delivery in &deliveries {
        *deliveries_per_order.entry(s(delivery, "orderId")).or_insert(0) += 1;
    }
    let profile = stack
        .items("CustomerTable")
        .await
        .into_iter()
        .find(|i| s(i, "kind") == "Customer" && s(i, "customerId") == customer)
        .expect("the customer's profile");
    // The notification context records every message it sent as a CustomerNotified event
    // in its outbox: one per waiting number is the promise.
    let mut waiting_notifications = BTreeMap::new();
    for item in stack.items("NotificationTable").await {
        let Ok(event) = serde_json::from_str::<Value>(&s(&item, "event")) else { continue };
        if event["type"] == "CustomerNotified"
            && event["data"]["eventType"] == "OrderWaited"
            && event["data"]["customerId"] == customer
        {
            *waiting_notifications.entry(event["data"]["text"].as_str().unwrap_or_default().to_owned()).or_insert(0) +=
                1;
        }
    }
    Outcome {
        orders: orders.len(),
        waiting: orders.iter().filter(|o| s(o, "status") == "Waiting").count(),
        deliveries_per_order,
        numbers: deliveries.iter().map(|d| n(d, "waitingNumber")).collect(),
        points: n(&profile, "points"),
        waiting_notifications,
    }
}

/// Waits until every order of `customer` is Waiting and notified, then checks the promise.
async fn assert_exactly_once(stack: &StackProcess, customer: &str, at_least: usize) -> Outcome {
    let seen = poll_until(
        SETTLE,
        || outcome(stack, customer),
        |o| {
            o.orders >= at_least
                && o.waiting == o.orders
                && o.waiting_notifications.values().sum::<usize>() >= o.orders
                && o.points >= WELCOME_POINTS + POINTS_PER_ORDER * i64::try_from(o.orders).unwrap()
        },
    )
    .await;
    println!(
        "outcome: {} orders, {} waiting, {} with one delivery, {} distinct numbers of {}, {} points, {} waiting \
         notifications ({} sent twice)",
        seen.orders,
        seen.waiting,
        seen.deliveries_per_order.values().filter(|&&d| d == 1).count(),
        seen.numbers.iter().collect::<BTreeSet<_>>().len(),
        seen.numbers.len(),
        seen.points,
        seen.waiting_notifications.values().sum::<usize>(),
        seen.waiting_notifications.values().filter(|&&c| c > 1).count(),
    );
    assert!(seen.orders >= at_least, "orders lost: {seen:?}");
    assert_eq!(seen.waiting, seen.orders, "orders left behind: {seen:?}");
    assert!(seen.deliveries_per_order.values().all(|&d| d == 1), "a delivery missing or twice: {seen:?}");
    assert_eq!(seen.deliveries_per_order.len(), seen.orders, "{seen:?}");
    let distinct: BTreeSet<i64> = seen.numbers.iter().copied().collect();
    assert_eq!(distinct.len(), seen.numbers.len(), "a waiting number repeated: {seen:?}");
    assert_eq!(seen.points, WELCOME_POINTS + POINTS_PER_ORDER * i64::try_from(seen.orders).unwrap(), "{seen:?}");
    assert_eq!(seen.waiting_notifications.len(), seen.orders, "a notification missing: {seen:?}");
    assert!(seen.waiting_notifications.values().all(|&c| c == 1), "a notification sent twice: {seen:?}");
    // Nothing waits in a dead-letter queue (as `redrive --local list` sees them).
    let endpoints = redrive::target::local_endpoints(&stack.control_url).await.unwrap();
    let target = redrive::target::Target::local(&endpoints, None).unwrap();
    let queues = redrive::list(&target).await.unwrap();
    assert!(queues.len() >= 5, "the dead-letter queues of the template: {queues:?}");
    let holding: Vec<_> = queues.iter().filter(|q| q.depth + q.in_flight > 0).collect();
    assert!(holding.is_empty(), "dead letters after the drill: {holding:?}");
    seen
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kill_9_of_the_whole_stack_mid_burst_loses_nothing_and_does_nothing_twice() {
    let dir = state_dir("kill9");
    let mut stack = start(&dir);
    let (token, customer, product) = shop(&stack).await;

    // 40 orders at once; the stack dies when about a quarter have answered.
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..40 {
        let (api, token, product, accepted) =
            (stack.api_url.clone(), token.clone(), product.clone(), std::sync::Arc::clone(&accepted));
        burst.spawn(async move {
            let key = format!("burst-{i}");
            let status = try_place(&api, &token, &key, &product).await;
            if status == Some(201) {
                accepted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            (key, status)
        });
    }
    poll_until(Duration::from_secs(30), || async { accepted.load(std::sync::atomic::Ordering::SeqCst) }, |&n| n >= 10)
        .await;
    stack.kill9();
    let answers: Vec<(String, Option<u16>)> = burst.join_all().await;
    let unanswered: Vec<&String> = answers.iter().filter(|(_, s)| *s != Some(201)).map(|(k, _)| k).collect();
    println!("before the kill: {} of 40 answered 201", 40 - unanswered.len());

    // The stack comes back on the same state; the client retries what got no answer, with
    // the same Idempotency-Key, as a client should.
    let stack = stack.restart();
    for key in &unanswered {
        assert_eq!(try_place(&stack.api_url, &token, key, &product).await, Some(201), "retrying {key}");
    }
    let seen = assert_exactly_once(&stack, &customer, 40).await;
    assert_eq!(seen.orders, 40, "one order per Idempotency-Key: {seen:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_with_a_backlog_and_a_restart_numbers_every_order_once() {
    let dir = state_dir("ctrl-c");
    let mut stack = start(&dir);
    let (token, customer, product) = shop(&stack).await;
    let switch = "/_devstack/functions/DeliveryOnOrderEventsFunction/event-source-mappings/disable";
    assert_eq!(stack.control("POST", switch, None).await.status, 200);
    for i in 0..20 {
        assert_eq!(try_place(&stack.api_url, &token, &format!("backlog-{i}"), &product).await, Some(201));
    }
    // Every OrderPlaced is on its way (published to the topic, so queued for the counter).
    let published = poll_until(
        Duration::from_secs(30),
        || stack.published("OrderEventsTopic"),
        |m| m.iter().filter(|m| m["attributes"]["eventType"] == "OrderPlaced").count() >= 20,
    )
    .await;
    assert_eq!(published.iter().filter(|m| m["attributes"]["eventType"] == "OrderPlaced").count(), 20);
    stack.interrupt();

    let stack = stack.restart();
    let seen = assert_exactly_once(&stack, &customer, 20).await;
    assert_eq!(seen.orders, 20);
    let mut numbers = seen.numbers.clone();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<i64>>(), "the day's numbers are 1..20, each once");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Pids of this process's children running the binary `name` (the local stack's workers).
fn workers_of(name: &str) -> Vec<u32> {
    let me = std::process::id();
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // The command name may hold spaces or parentheses: the fields we need follow the last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else { continue };
        let parent: u32 = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        let command = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let program = command.split('\0').next().unwrap_or_default();
        if parent == me && program.ends_with(&format!("/{name}")) {
            pids.push(pid);
        }
    }
    pids
}

async fn depth(app: &TestApp, queue: &str) -> usize {
    let sqs = &app.stack.emulators.sqs;
    let arn =
        format!("arn:aws:sqs:{}:000000000000:{}", devstack::emulators::REGION, app.stack.physical_name(queue).unwrap());
    let queue_url = sqs.queue_url_for_arn(&arn).unwrap();
    let attributes = sqs
        .get_queue_attributes(rustack_sqs_model::input::GetQueueAttributesInput {
            queue_url,
            attribute_names: vec!["ApproximateNumberOfMessages".to_owned()],
        })
        .await
        .unwrap();
    attributes.attributes["ApproximateNumberOfMessages"].parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_worker_is_replaced_and_its_function_keeps_answering() {
    let app = TestApp::start().await;
    let customer = app.customer("dead-worker@example.com").await;
    let americano = app.product("Americano", PRICE).await;
    let first = app.place_order("warm", &customer, &[(&americano, 1)]).await;
    assert_eq!(first.status, 201, "{first:?}");
    let id = first.body["orderId"].as_str().unwrap().to_owned();
    app.poll(&format!("/orders/{id}"), SETTLE, |r| r.body["status"] == "Waiting").await;

    // Kill every idle worker of the order API and of the counter's consumer.
    let victims: Vec<u32> = ["place-order", "delivery-on-order-events"].iter().flat_map(|b| workers_of(b)).collect();
    assert!(victims.len() >= 2, "no warm workers found: {victims:?}");
    for pid in &victims {
        assert!(std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap().success());
    }

    let mut ids = vec![id];
    for i in 0..10 {
        let placed = app.place_order(&format!("after-{i}"), &customer, &[(&americano, 1)]).await;
        assert_eq!(placed.status, 201, "order {i} after the kill: {placed:?}");
        ids.push(placed.body["orderId"].as_str().unwrap().to_owned());
    }
    let mut numbers = BTreeSet::new();
    for id in &ids {
        let order = app.poll(&format!("/orders/{id}"), SETTLE, |r| r.body["status"] == "Waiting").await;
        assert_eq!(order.body["status"], "Waiting", "{order:?}");
        assert!(numbers.insert(order.body["waitingNumber"].as_i64().unwrap()), "a number twice: {numbers:?}");
    }
    assert_eq!(depth(&app, "DeliveryInboxQueueDeadLetterQueue").await, 0);
    assert_eq!(depth(&app, "OrderInboxQueueDeadLetterQueue").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn sns_failing_longer_than_the_relay_retries_delays_orders_but_loses_none() {
    // The sweep runs every second but leaves items younger than 45 s to the stream: while a
    // sweep holds an item's lease (its own failing publish), the stream's relay skips that
    // item, so with a short grace the sweep could keep the stream from ever giving up (a CI
    // run on a loaded machine saw exactly that with 2 s). 45 s is more than the stream's
    // four attempts of a 4 s publish budget take, and less than the waits below.
    let parameters = [
        ("OutboxSweepSchedule".to_owned(), "rate(1 second)".to_owned()),
        ("OutboxSweepGraceSeconds".to_owned(), "45".to_owned()),
    ];
    let app = TestApp::with_parameters(parameters.into()).await;
    let customer = app.customer("outage@example.com").await;
    let americano = app.product("Americano", PRICE).await;
    app.wait_for_messages("NotificationsTopic", SETTLE, |m| m.iter().any(|m| m.attributes["customerId"] == customer))
        .await;

    app.stack.set_service_fault("sns", true);
    let mut ids = Vec::new();
    for i in 0..5 {
        let placed = app.place_order(&format!("outage-{i}"), &customer, &[(&americano, 1)]).await;
        assert_eq!(placed.status, 201, "orders are taken while SNS is down: {placed:?}");
        ids.push(placed.body["orderId"].as_str().unwrap().to_owned());
    }
    // The outage outlasts the relay's own retries: the stream gives the batch up to the
    // relay's failure queue (its alarm), while the events wait in the outbox.
    let gave_up = poll_until(SETTLE, || depth(&app, "RelayFailureQueue"), |&n| n >= 1).await;
    assert!(gave_up >= 1, "the relay never gave up on the stream");
    for id in &ids {
        assert_eq!(app.send("GET", &format!("/orders/{id}"), None).await.body["status"], "Placed");
    }

    app.stack.set_service_fault("sns", false);
    let mut numbers = BTreeSet::new();
    for id in &ids {
        let order = app.poll(&format!("/orders/{id}"), SETTLE, |r| r.body["status"] == "Waiting").await;
        assert_eq!(order.body["status"], "Waiting", "{order:?}");
        assert!(numbers.insert(order.body["waitingNumber"].as_i64().unwrap()));
    }
    let expected_points = WELCOME_POINTS + POINTS_PER_ORDER * 5;
    let profile = app.poll(&format!("/customers/{customer}"), SETTLE, |r| r.body["points"] == expected_points).await;
    assert_eq!(profile.body["points"], expected_points);
    let waited = |m: &[devstack::observe::PublishedMessage]| {
        m.iter()
            .filter(|m| m.attributes["customerId"] == customer && m.attributes["eventType"] == "OrderWaited")
            .count()
    };
    let told = app.wait_for_messages("NotificationsTopic", SETTLE, |m| waited(m) >= 5).await;
    // Let any duplicate show itself: every event has had its chance to be published by now.
    let placed = app
        .wait_for_messages("OrderEventsTopic", SETTLE, |m| {
            m.iter().filter(|m| m.attributes["eventType"] == "OrderPlaced").count() >= 5
        })
        .await;
    assert_eq!(
        placed.iter().filter(|m| m.attributes["eventType"] == "OrderPlaced").count(),
        5,
        "OrderPlaced once each"
    );
    assert_eq!(waited(&told), 5, "one waiting-number notification per order");
    assert_eq!(depth(&app, "DeliveryInboxQueueDeadLetterQueue").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_torn_position_file_stops_the_start_and_a_reset_replays_without_sending_twice() {
    let dir = state_dir("torn");
    let mut stack = start(&dir);
    let (token, customer, product) = shop(&stack).await;
    assert_eq!(try_place(&stack.api_url, &token, "before", &product).await, Some(201));
    assert_exactly_once(&stack, &customer, 1).await;
    stack.interrupt();

    let positions = dir.join("stream-checkpoints.json");
    assert!(positions.is_file(), "the stack keeps its stream positions in {}", positions.display());
    std::fs::write(&positions, "{\"torn").unwrap();
    let refused = StackProcess::try_start(&siren_order::system(), &dir, &FAST_SWEEP).err().expect("a loud error");
    assert!(refused.contains("stream-checkpoints.json"), "the error names the file: {refused}");
    assert!(refused.contains("--reset-stream-positions"), "the error names the way out: {refused}");

    // The operator resets the positions: every stream is read again from its start, and the
    // relays recognise what they already published.
    let reset: Vec<&str> = FAST_SWEEP.iter().copied().chain(["--reset-stream-positions"]).collect();
    let stack = StackProcess::try_start(&siren_order::system(), &dir, &reset).unwrap();
    assert_eq!(try_place(&stack.api_url, &token, "after", &product).await, Some(201));
    assert_exactly_once(&stack, &customer, 2).await;
    let count = |messages: &[Value], kind: &str| {
        messages
            .iter()
            .filter(|m| m["attributes"]["eventType"] == kind && m["attributes"]["customerId"] == customer.as_str())
            .count()
    };
    let told = poll_until(SETTLE, || stack.published("NotificationsTopic"), |m| count(m, "OrderWaited") >= 1).await;
    assert_eq!(count(&told, "OrderWaited"), 1, "only the new order's number is announced: {told:?}");
    assert_eq!(count(&told, "CustomerRegistered"), 0, "the welcome is not sent again: {told:?}");
    let placed = stack.published("OrderEventsTopic").await;
    let placed = placed.iter().filter(|m| m["attributes"]["eventType"] == "OrderPlaced").count();
    assert_eq!(placed, 1, "the first OrderPlaced is not published again");
    let _ = std::fs::remove_dir_all(&dir);
}
