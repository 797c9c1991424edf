//! The `earn_points` policy fed with the order events batch in `events/`, against the
//! embedded DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use chrono::Utc;
use contracts::order::{OrderCancelled, OrderEvent};
use customer::domain::{Customer, CustomerId, CustomerName, Email, HeldPoints, PointsRate, Registration};
use customer::policies::earn_points;
use customer::ports::{CustomerLookup, CustomerRegistry};
use customer::store::{DynamoCustomers, DynamoLedger, DynamoRegistry};
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use platform::inbox::for_each_event;
use platform::{EventEnvelope, Won};
use serde_json::{Value, json};

fn batch() -> SqsEvent {
    let path = system_of(env!("CARGO_MANIFEST_DIR")).events_dir().join("sqs-customer-order-events.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The `OrderPlaced` of the sample batch.
fn placed() -> EventEnvelope {
    platform::inbox::envelope_from_sqs(&batch().records[0]).unwrap()
}

fn cancelled(order_id: &str, customer_id: &str) -> EventEnvelope {
    let event = OrderEvent::OrderCancelled(OrderCancelled {
        order_id: order_id.to_owned(),
        customer_id: customer_id.to_owned(),
        amount: Won::new(9000),
        reason: "CustomerRequest".to_owned(),
    });
    EventEnvelope::wrap("order", order_id, None, &event)
}

struct World {
    emulators: Emulators,
    customers: DynamoCustomers,
    ledger: DynamoLedger,
    id: CustomerId,
}

impl World {
    async fn start() -> Self {
        let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
        let client = platform::testing::dynamodb(&emulators.dynamodb_url);
        let table = platform::dynamo::Table::new(client, physical_name("CustomerTable"));
        // The customer the sample events are about, holding 1000 points.
        let id = CustomerId::parse(placed().data["customerId"].as_str().unwrap()).unwrap();
        let registration = Registration {
            name: CustomerName::parse("Kim Minji").unwrap(),
            email: Email::parse("minji@example.com").unwrap(),
            phone: None,
        };
        let (customer, _) = Customer::register(id.clone(), registration, 1000, Utc::now());
        DynamoRegistry::new(table.clone(), Duration::from_secs(3600))
            .register(&customer, &HeldPoints::none(), &[])
            .await
            .unwrap();
        World {
            emulators,
            customers: DynamoCustomers::new(table.clone()),
            ledger: DynamoLedger::new(table, Duration::from_secs(3600)),
            id,
        }
    }

    async fn points(&self) -> u64 {
        self.customers.find(&self.id).await.unwrap().unwrap().points
    }

    async fn apply(&self, event: EventEnvelope) {
        earn_points(&self.ledger, PointsRate::percent(10).unwrap(), event).await.unwrap();
    }

    fn items(&self) -> Vec<Value> {
        let page = self.emulators.ddb(Database::scan, json!({ "TableName": physical_name("CustomerTable") })).unwrap();
        page["Items"].as_array().cloned().unwrap()
    }

    /// The `PointsChanged` events in the outbox: (delta, balance, reason).
    fn points_changed(&self) -> Vec<(i64, u64, String)> {
        let mut changes: Vec<(i64, u64, String)> = self
            .items()
            .iter()
            .filter(|i| i["eventType"]["S"] == "PointsChanged")
            .map(|i| serde_json::from_str::<Value>(i["event"]["S"].as_str().unwrap()).unwrap())
            .map(|e| {
                let data = &e["data"];
                (data["delta"].as_i64().unwrap(), data["balance"].as_u64().unwrap(), data["reason"].to_string())
            })
            .collect();
        changes.sort();
        changes
    }
}

#[tokio::test]
async fn an_order_earns_its_points_once_and_its_cancellation_takes_them_back_once() {
    let world = World::start().await;
    for _ in 0..2 {
        let response =
            for_each_event(batch(), |e| async { Ok(earn_points(&world.ledger, PointsRate::percent(10)?, e).await?) })
                .await;
        assert!(response.batch_item_failures.is_empty());
    }
    assert_eq!(world.points().await, 1900, "9000 won earns 900 points, once");
    let placed = placed();
    let changed = world.items().into_iter().find(|i| i["eventType"]["S"] == "PointsChanged").unwrap();
    let envelope: Value = serde_json::from_str(changed["event"]["S"].as_str().unwrap()).unwrap();
    assert_eq!(envelope["causationId"], placed.id.as_str());
    assert_eq!(envelope["correlationId"], world.id.as_str());
    assert_eq!(envelope["data"]["orderId"], placed.data["orderId"]);

    // Cancel the same order, delivered twice, then once more as a new event.
    let order_id = placed.data["orderId"].as_str().unwrap();
    let cancel = cancelled(order_id, world.id.as_str());
    world.apply(cancel.clone()).await;
    world.apply(cancel).await;
    world.apply(cancelled(order_id, world.id.as_str())).await;
    assert_eq!(world.points().await, 1000);
    assert_eq!(
        world.points_changed(),
        [(-900, 1000, "\"OrderCancelled\"".to_owned()), (900, 1900, "\"OrderPlaced\"".to_owned())]
    );
    let entry = world.items().into_iter().find(|i| i["sk"]["S"] == format!("EARNED#{order_id}")).unwrap();
    assert_eq!((entry["points"]["N"].as_str(), entry["reversed"]["BOOL"].as_bool()), (Some("900"), Some(true)));
}

#[tokio::test]
async fn a_cancellation_that_arrives_first_means_the_order_never_earns() {
    let world = World::start().await;
    let placed = placed();
    world.apply(cancelled(placed.data["orderId"].as_str().unwrap(), world.id.as_str())).await;
    world.apply(placed).await;
    assert_eq!(world.points().await, 1000);
    assert!(world.points_changed().is_empty(), "nothing moved, so nothing is told");
}

#[tokio::test]
async fn a_poison_message_fails_alone() {
    let world = World::start().await;
    let mut batch = batch();
    let mut poison = batch.records[0].clone();
    poison.message_id = Some("poison".to_owned());
    poison.body = Some(json!({ "not": "an event" }).to_string());
    batch.records.insert(0, poison);
    let response =
        for_each_event(batch, |e| async { Ok(earn_points(&world.ledger, PointsRate::percent(10)?, e).await?) }).await;
    let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, ["poison"]);
    assert_eq!(world.points().await, 1900, "its neighbour was applied");
}

/// An `OrderPlaced` of `customer` for order `order` (a fresh event id), from the sample's.
fn placed_by(customer: &str, order: &str) -> EventEnvelope {
    let mut event = placed();
    event.id = format!("placed-{order}");
    event.data["customerId"] = json!(customer);
    event.data["orderId"] = json!(order);
    event
}

#[tokio::test]
async fn points_of_orders_placed_before_registering_are_kept_and_join_the_balance_once() {
    let world = World::start().await;
    let table = platform::dynamo::Table::new(
        platform::testing::dynamodb(&world.emulators.dynamodb_url),
        physical_name("CustomerTable"),
    );
    let stranger = "auth0|not-yet-registered";
    let (kept, cancelled_order) = ("01a1fcae-4122-72bd-a903-000000000001", "01a1fcae-4122-72bd-a903-000000000002");
    let events =
        [placed_by(stranger, kept), placed_by(stranger, cancelled_order), cancelled(cancelled_order, stranger)];
    // Each event twice (at least once delivery), as the queue hands them over.
    for event in events.iter().chain(events.iter()) {
        let mut batch = batch();
        batch.records.truncate(1);
        let body: Value = serde_json::from_str(batch.records[0].body.as_deref().unwrap()).unwrap();
        let mut body = body;
        body["Message"] = json!(serde_json::to_string(event).unwrap());
        batch.records[0].body = Some(body.to_string());
        let response =
            for_each_event(batch, |e| async { Ok(earn_points(&world.ledger, PointsRate::percent(10)?, e).await?) })
                .await;
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
    }
    let held = world.items().into_iter().find(|i| i["kind"]["S"] == "HeldPoints").unwrap();
    assert_eq!(held["points"]["N"], "900", "9000 won kept (900), 9000 won placed and cancelled (0)");
    assert!(world.points_changed().is_empty(), "no customer to tell yet");

    // The identity registers: 1000 welcome points + the 900 held, once.
    let registry = DynamoRegistry::new(table, Duration::from_secs(3600));
    let kim = platform::auth::Caller { subject: stranger.to_owned(), groups: Vec::new() };
    let registration = Registration {
        name: CustomerName::parse("Kim").unwrap(),
        email: Email::parse("kim@example.com").unwrap(),
        phone: None,
    };
    let customer =
        customer::application::register_customer(&registry, 1000, &kim, None, registration.clone()).await.unwrap();
    assert_eq!(customer.points, 1900);
    let id = CustomerId::parse(stranger).unwrap();
    assert_eq!(world.customers.find(&id).await.unwrap().unwrap().points, 1900);
    assert!(world.items().iter().all(|i| i["kind"]["S"] != "HeldPoints"), "the held points were consumed");
    let again = customer::application::register_customer(&registry, 1000, &kim, None, registration).await;
    assert!(matches!(again, Err(customer::application::RegisterCustomerError::AlreadyRegistered)), "{again:?}");

    // The same events again change nothing; cancelling the kept order now takes its 900 back.
    for event in &events {
        world.apply(event.clone()).await;
    }
    assert_eq!(world.customers.find(&id).await.unwrap().unwrap().points, 1900);
    let late = cancelled(kept, stranger);
    world.apply(late.clone()).await;
    world.apply(late).await;
    assert_eq!(world.customers.find(&id).await.unwrap().unwrap().points, 1000);
    assert_eq!(world.points_changed(), [(-900, 1000, "\"OrderCancelled\"".to_owned())]);
}
