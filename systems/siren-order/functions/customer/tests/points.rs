//! The points consumer fed with the order events batch in `events/`, against the embedded
//! DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use chrono::Utc;
use customer::consumer::{Points, on_order_event};
use customer::domain::{Customer, CustomerId, CustomerName, Email};
use customer::store::{CustomerLookup, CustomerRegistry, DynamoCustomers};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use platform::inbox::{Inbox, for_each_event};

fn batch() -> SqsEvent {
    serde_json::from_str(
        &std::fs::read_to_string(
            system_of(env!("CARGO_MANIFEST_DIR")).events_dir().join("sqs-customer-order-events.json"),
        )
        .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn an_order_earns_its_points_once_and_its_cancellation_takes_them_back_once() {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let table = physical_name("CustomerTable");
    let customers = DynamoCustomers::new(client.clone(), &table, Duration::from_secs(3600));
    let points = Points {
        customers: customers.clone(),
        inbox: Inbox::new(client, &table, "customer-on-order-events", Duration::from_secs(3600)),
        rate_percent: 10,
    };
    // The customer the events are about (the id is the one in the event file).
    let envelope = platform::inbox::envelope_from_sqs(&batch().records[0]).unwrap();
    let id = CustomerId::parse(envelope.data["customerId"].as_str().unwrap()).unwrap();
    let customer = Customer {
        id: id.clone(),
        name: CustomerName::parse("Kim Minji").unwrap(),
        email: Email::parse("minji@example.com").unwrap(),
        phone: None,
        points: 1000,
        registered_at: Utc::now(),
        version: 1,
    };
    customers.register(&customer, &[]).await.unwrap();

    for _ in 0..2 {
        assert!(for_each_event(batch(), |e| on_order_event(&points, e)).await.batch_item_failures.is_empty());
    }
    assert_eq!(customers.find(&id).await.unwrap().unwrap().points, 1900, "9000 won earns 900 points, once");

    // Cancel the same order (same ids, event type OrderCancelled), twice.
    let mut cancelled = envelope.clone();
    cancelled.id = "01a1fcae-5f10-7a22-8c33-d44e55f66a77".into();
    cancelled.event_type = "OrderCancelled".into();
    cancelled.data = serde_json::json!({
        "orderId": envelope.data["orderId"], "customerId": envelope.data["customerId"], "amount": 9000, "reason": "CustomerRequest"
    });
    for _ in 0..2 {
        on_order_event(&points, cancelled.clone()).await.unwrap();
    }
    assert_eq!(customers.find(&id).await.unwrap().unwrap().points, 1000);
}
