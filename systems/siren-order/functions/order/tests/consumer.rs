//! The order consumer fed with the delivery events batch in `events/`, against the
//! embedded DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::Database;
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use order::domain::{Order, OrderId, OrderStatus};
use order::store::{DynamoOrders, OrderRepository};
use platform::inbox::{Inbox, for_each_event};
use serde_json::json;

fn batch() -> SqsEvent {
    serde_json::from_str(
        &std::fs::read_to_string(
            system_of(env!("CARGO_MANIFEST_DIR")).events_dir().join("sqs-order-delivery-events.json"),
        )
        .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn waited_started_completed_move_the_order_once_and_emit_order_completed_once() {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let table = physical_name("OrderTable");
    let orders = DynamoOrders::new(client.clone(), &table, Duration::from_secs(3600));
    let inbox = Inbox::new(client, &table, "order-on-delivery-events", Duration::from_secs(3600));

    // The order the events are about (its id is the one in the event file).
    let first = batch();
    let envelope = platform::inbox::envelope_from_sqs(&first.records[0]).unwrap();
    let id = OrderId::parse(envelope.data["orderId"].as_str().unwrap()).unwrap();
    let now = chrono::Utc::now();
    let order = Order {
        id: id.clone(),
        customer_id: envelope.data["customerId"].as_str().unwrap().to_owned(),
        lines: vec![],
        amount: 9000,
        status: OrderStatus::Placed,
        waiting_number: None,
        delivery_id: None,
        cancellable: true,
        placed_at: now,
        updated_at: now,
        version: 1,
    };
    orders
        .place(
            &order,
            "key",
            &order::store::IdempotencyRecord {
                request_hash: "h".into(),
                order_id: id.as_str().into(),
                response: "{}".into(),
            },
            &[],
        )
        .await
        .unwrap();

    for _ in 0..2 {
        let response = for_each_event(batch(), |e| order::consumer::on_delivery_event(&orders, &inbox, e)).await;
        assert!(response.batch_item_failures.is_empty());
    }
    let stored = orders.find(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, OrderStatus::Completed);
    assert_eq!(stored.waiting_number, Some(1));
    assert!(!stored.cancellable);
    assert_eq!(stored.version, 4, "three changes, each applied once");
    let page = emulators.ddb(Database::scan, json!({ "TableName": table })).unwrap();
    let completed =
        page["Items"].as_array().unwrap().iter().filter(|i| i["eventType"]["S"] == "OrderCompleted").count();
    assert_eq!(completed, 1);
}
