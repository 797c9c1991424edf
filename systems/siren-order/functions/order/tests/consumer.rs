//! The `follow_delivery` policy fed with the delivery events batch in `events/`, against
//! the embedded DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use order::domain::{
    CustomerId, DeliveryId, Order, OrderId, OrderStatus, PricedProduct, Pricing, ProductId, Quantity, RequestedLine,
};
use order::policies::FOLLOW_DELIVERY_INBOX;
use order::ports::Orders;
use order::store::DynamoOrders;
use order::wiring::FollowDelivery;
use platform::Won;
use platform::idempotency::{IdempotencyRecord, fingerprint};
use platform::inbox::for_each_event;
use serde_json::{Value, json};

fn batch() -> SqsEvent {
    serde_json::from_str(&system_of(env!("CARGO_MANIFEST_DIR")).event_text("sqs-order-delivery-events.json").unwrap())
        .unwrap()
}

async fn stack() -> (Emulators, FollowDelivery) {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let orders =
        DynamoOrders::consumer(client, physical_name("OrderTable"), Duration::from_secs(3600), FOLLOW_DELIVERY_INBOX);
    (emulators, FollowDelivery { orders })
}

fn items(emulators: &Emulators) -> Vec<Value> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("OrderTable") })).unwrap();
    page["Items"].as_array().unwrap().clone()
}

/// Places the order the sample events are about, as `POST /orders` would have.
async fn place_the_order(deps: &FollowDelivery) -> OrderId {
    let envelope = platform::inbox::envelope_from_sqs(&batch().records[0]).unwrap();
    let id = OrderId::parse(envelope.data["orderId"].as_str().unwrap()).unwrap();
    let customer = CustomerId::parse(envelope.data["customerId"].as_str().unwrap()).unwrap();
    let americano = ProductId::parse("p1").unwrap();
    let pricing = Pricing {
        products: vec![PricedProduct {
            product_id: americano.clone(),
            name: "Americano".into(),
            unit_price: Won::new(4500),
            orderable: true,
        }],
        unknown: vec![],
    };
    let lines = [RequestedLine { product_id: americano, quantity: Quantity::parse(2).unwrap() }];
    let (order, _) = Order::place(id.clone(), customer, &lines, &pricing, chrono::Utc::now()).unwrap();
    let request = lambda_http::http::Request::builder()
        .header(platform::idempotency::HEADER, "key-1")
        .body(lambda_http::Body::Empty)
        .unwrap();
    let key = platform::idempotency::key(&request).unwrap();
    let record = IdempotencyRecord {
        fingerprint: fingerprint(["x"]),
        resource_id: id.to_string(),
        status: 201,
        response: "{}".into(),
    };
    deps.orders.place(&order, &key, &record, &[]).await.unwrap();
    id
}

#[tokio::test]
async fn waited_started_completed_move_the_order_once_and_emit_order_completed_once() {
    let (emulators, deps) = stack().await;
    let id = place_the_order(&deps).await;

    for _ in 0..2 {
        let response = for_each_event(batch(), |event| order::policies::follow_delivery(&deps, event)).await;
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
    }

    let stored = deps.orders.find(&id).await.unwrap().unwrap();
    assert_eq!(stored.status(), OrderStatus::Completed);
    assert_eq!(stored.waiting_number(), Some(1));
    assert_eq!(stored.delivery_id(), Some(&DeliveryId::parse("01a1fcae-41fa-71d7-a56f-c7022f4746bd").unwrap()));
    assert!(!stored.may_cancel());
    assert_eq!(stored.version(), 4, "three changes, each applied once");
    assert_eq!(stored.amount(), Won::new(9000));

    let items = items(&emulators);
    let completed: Vec<&Value> = items.iter().filter(|i| i["eventType"]["S"] == "OrderCompleted").collect();
    assert_eq!(completed.len(), 1, "{items:?}");
    let envelope: Value = serde_json::from_str(completed[0]["event"]["S"].as_str().unwrap()).unwrap();
    assert_eq!(envelope["source"], "order");
    assert_eq!(envelope["correlationId"], id.as_str());
    assert_eq!(envelope["causationId"], "01a1fcae-6b00-7b11-8c22-d33e44f55a67", "caused by DeliveryCompleted");
    assert_eq!(
        envelope["data"],
        json!({ "orderId": id.as_str(), "customerId": "01a1fcae-3de8-72e8-9d91-af9e4b458b9a", "amount": 9000 })
    );
    let inbox = items.iter().filter(|i| i["pk"]["S"].as_str().unwrap().starts_with("INBOX#order-on-delivery-events#"));
    assert_eq!(inbox.count(), 3, "one inbox item per event, none for the repeats");
    let order_item = items.iter().find(|i| i["kind"]["S"] == "Order").unwrap();
    assert_eq!(order_item["lines"]["L"][0]["M"]["unitPrice"]["N"], "4500", "lines are a DynamoDB list");
}

#[tokio::test]
async fn events_about_an_unknown_order_fail_alone_and_write_nothing() {
    let (emulators, deps) = stack().await;
    let response = for_each_event(batch(), |event| order::policies::follow_delivery(&deps, event)).await;
    let failed: Vec<String> = response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect();
    let all: Vec<String> = batch().records.iter().map(|r| r.message_id.clone().unwrap()).collect();
    assert_eq!(failed, all, "each is retried, then dead-lettered");
    assert_eq!(items(&emulators), Vec::<Value>::new());
}

fn cancelled_batch() -> SqsEvent {
    serde_json::from_str(
        &system_of(env!("CARGO_MANIFEST_DIR")).event_text("sqs-order-delivery-cancelled.json").unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn delivery_cancelled_cancels_an_open_order_once_and_emits_order_cancelled_once() {
    let (emulators, deps) = stack().await;
    let id = place_the_order(&deps).await;

    // Twice: SQS delivers at least once.
    for _ in 0..2 {
        let response = for_each_event(cancelled_batch(), |event| order::policies::follow_delivery(&deps, event)).await;
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
    }

    let stored = deps.orders.find(&id).await.unwrap().unwrap();
    assert_eq!((stored.status(), stored.may_cancel(), stored.version()), (OrderStatus::Cancelled, false, 2));
    let items = items(&emulators);
    let cancelled: Vec<&Value> = items.iter().filter(|i| i["eventType"]["S"] == "OrderCancelled").collect();
    assert_eq!(cancelled.len(), 1, "points come back once and the customer is told once: {items:?}");
    let envelope: Value = serde_json::from_str(cancelled[0]["event"]["S"].as_str().unwrap()).unwrap();
    assert_eq!(envelope["causationId"], "01a1fcae-7c00-7b11-8c22-d33e44f55a70", "caused by DeliveryCancelled");
    assert_eq!(
        envelope["data"],
        json!({
            "orderId": id.as_str(),
            "customerId": "01a1fcae-3de8-72e8-9d91-af9e4b458b9a",
            "amount": 9000,
            "reason": "DeliveryCancelled"
        })
    );

    // A late OrderWaited / DeliveryCompleted of the same order moves a cancelled order nowhere.
    let response = for_each_event(batch(), |event| order::policies::follow_delivery(&deps, event)).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    assert_eq!(deps.orders.find(&id).await.unwrap().unwrap().status(), OrderStatus::Cancelled);
    assert_eq!(self::items(&emulators).iter().filter(|i| i["eventType"]["S"] == "OrderCompleted").count(), 0);
}
