//! Duplicate and reordered events change nothing: the very same `OrderPlaced` delivered again
//! through SNS (as at-least-once delivery may) makes no second ticket, row or mail; a `Shipped`
//! delivered again after the order moved on does not move it back.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use clothes_rental::{TestApp, event_of};
use devstack::observe::PublishedMessage;

const PATIENCE: Duration = Duration::from_secs(10);

/// Publishes `message` again on `topic`, with its attributes, `times` times.
async fn republish(app: &TestApp, topic: &str, message: &PublishedMessage, times: usize) {
    let topic_arn = app.stack.topic_arn(topic).unwrap().to_owned();
    for _ in 0..times {
        let attributes = message
            .attributes
            .iter()
            .map(|(name, value)| {
                let value = rustack_sns_model::types::MessageAttributeValue {
                    data_type: "String".to_owned(),
                    string_value: value.as_str().map(str::to_owned),
                    binary_value: None,
                };
                (name.clone(), value)
            })
            .collect();
        app.stack
            .emulators
            .sns
            .publish(rustack_sns_model::input::PublishInput {
                topic_arn: Some(topic_arn.clone()),
                message: message.message.clone(),
                message_attributes: attributes,
                ..Default::default()
            })
            .await
            .unwrap();
    }
}

fn find(app: &TestApp, topic: &str, kind: &str, order: &str) -> PublishedMessage {
    app.published(topic)
        .into_iter()
        .find(|m| event_of(m)["type"] == kind && event_of(m)["data"]["orderId"] == order)
        .unwrap_or_else(|| panic!("no {kind} of {order} on {topic}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_order_placed_delivered_three_times_makes_one_ticket_one_row_and_one_mail() {
    let app = TestApp::start().await;
    let a = app.customer();
    let order = app.order_id(&a, "1001", 5).await;
    assert!(app.ticket("Delivery", "Received", &order, PATIENCE).await.is_some());
    assert!(app.mypage(&a, &order, PATIENCE, |_| true).await.is_some());
    let placed = find(&app, "OrderEventsTopic", "OrderPlaced", &order);
    republish(&app, "OrderEventsTopic", &placed, 2).await;

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let tickets = app.queue("Delivery", "Received").await;
    assert_eq!(tickets.iter().filter(|t| t["orderId"] == order.as_str()).count(), 1, "{tickets:?}");
    let rows = app.send_as(Some(&a.token), "GET", "/mypages", None).await.body["mypages"].as_array().cloned().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let mails: Vec<_> = app.mails().into_iter().filter(|(id, _)| *id == a.id).collect();
    assert_eq!(mails, [(a.id.clone(), "OrderPlaced".to_owned())]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_late_shipped_after_the_return_and_a_late_order_placed_move_nothing_back() {
    let app = TestApp::start().await;
    let a = app.customer();
    let order = app.order_id(&a, "1001", 5).await;
    let ticket = app.ticket("Delivery", "Received", &order, PATIENCE).await.unwrap();
    assert_eq!(app.team_command(ticket["deliveryId"].as_str().unwrap(), "ship").await.status, 200);
    app.order_in(&a, &order, "Shipped", PATIENCE).await;
    assert_eq!(app.return_order(&a, &order).await.status, 202);
    assert!(app.mypage(&a, &order, PATIENCE, |r| r["orderStatus"] == "ReturnRequested").await.is_some());

    // The Shipped and the OrderPlaced of this order arrive again, late.
    let shipped = find(&app, "DeliveryEventsTopic", "Shipped", &order);
    republish(&app, "DeliveryEventsTopic", &shipped, 1).await;
    let placed = find(&app, "OrderEventsTopic", "OrderPlaced", &order);
    republish(&app, "OrderEventsTopic", &placed, 1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let now = app.send_as(Some(&a.token), "GET", &format!("/orders/{order}"), None).await;
    assert_eq!(now.body["status"], "ReturnRequested", "{now:?}");
    let row = app.mypage(&a, &order, Duration::ZERO, |_| true).await.unwrap();
    assert_eq!(
        (row["orderStatus"].as_str(), row["deliveryStatus"].as_str()),
        (Some("ReturnRequested"), Some("Shipped"))
    );
    let kinds: Vec<String> = app.mails().into_iter().filter(|(id, _)| *id == a.id).map(|(_, k)| k).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "Shipped").count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "OrderPlaced").count(), 1, "{kinds:?}");
}
