//! The report fed with the SQS batch in `events/` — in order, reversed, duplicated — and read
//! back through the handlers with the sample requests, against the embedded DynamoDB.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Response};
use platform::inbox::for_each_event;
use report::consumer::{Reporter, on_event};
use report::store::DynamoReport;
use serde_json::Value;

fn text(name: &str) -> String {
    std::fs::read_to_string(system_of(env!("CARGO_MANIFEST_DIR")).events_dir().join(name)).unwrap()
}

fn batch(records: Vec<SqsMessage>) -> SqsEvent {
    let mut event: SqsEvent = serde_json::from_str(&text("sqs-report-events.json")).unwrap();
    event.records = records;
    event
}

fn body(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).unwrap()
}

async fn reporter() -> (devstack::emulators::Emulators, Reporter) {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let report = DynamoReport::new(platform::testing::dynamodb(&emulators.dynamodb_url), physical_name("ReportTable"));
    (emulators, Reporter { report, zone: chrono_tz::Asia::Seoul })
}

async fn sales(reporter: &Reporter) -> Value {
    let request = lambda_http::request::from_str(&text("sales-report.json")).unwrap();
    body(&platform::http::respond(report::http::sales(&reporter.report, &request).await))
}

#[tokio::test]
async fn duplicated_and_reordered_events_give_the_same_report() {
    let all: SqsEvent = serde_json::from_str(&text("sqs-report-events.json")).unwrap();
    let (_in_order_stack, in_order) = reporter().await;
    assert!(
        for_each_event(batch(all.records.clone()), |e| on_event(&in_order, e)).await.batch_item_failures.is_empty()
    );
    let expected = sales(&in_order).await;
    assert_eq!(expected["orders"], 1);
    assert_eq!(expected["revenue"], 9000);
    assert_eq!(expected["products"][0]["name"], "Americano");
    assert_eq!(expected["products"][0]["quantity"], 2);
    assert_eq!(expected["completedOrders"], 1);
    assert!(expected["averageCompletionSeconds"].as_f64().unwrap() > 0.0);

    // Reversed, and every event twice: the same report.
    let (_stack, shuffled) = reporter().await;
    let mut records = all.records.clone();
    records.reverse();
    records.extend(all.records.clone());
    assert!(for_each_event(batch(records), |e| on_event(&shuffled, e)).await.batch_item_failures.is_empty());
    assert_eq!(sales(&shuffled).await, expected);

    let request = lambda_http::request::from_str(&text("orders-report.json")).unwrap();
    let orders = body(&platform::http::respond(report::http::orders(&shuffled.report, &request).await));
    assert_eq!(orders["orders"][0]["status"], "Completed");
    assert_eq!(orders["orders"][0]["waitingNumber"], 1);
}

#[tokio::test]
async fn a_late_cancellation_takes_the_order_out_of_the_revenue() {
    let all: SqsEvent = serde_json::from_str(&text("sqs-report-events.json")).unwrap();
    let (_stack, reporter) = reporter().await;
    for_each_event(batch(all.records.clone()), |e| on_event(&reporter, e)).await;
    let placed = platform::inbox::envelope_from_sqs(&all.records[0]).unwrap();
    let mut cancelled = placed.clone();
    cancelled.id = "01a1fcae-7000-7000-8000-00000000c0de".into();
    cancelled.event_type = "OrderCancelled".into();
    cancelled.data = serde_json::json!({ "orderId": placed.data["orderId"], "customerId": placed.data["customerId"], "amount": 9000, "reason": "CustomerRequest" });
    on_event(&reporter, cancelled).await.unwrap();
    let report = sales(&reporter).await;
    assert_eq!((report["orders"].as_u64(), report["revenue"].as_u64()), (Some(0), Some(0)));
    assert_eq!(report["cancelled"]["count"], 1);
    assert_eq!(report["cancelled"]["amount"], 9000);
}

#[tokio::test]
async fn an_older_product_change_does_not_overwrite_a_newer_one() {
    let (_stack, reporter) = reporter().await;
    reporter.report.record_product("p1", "Americano (new)", 4800, "OnSale", 3).await.unwrap();
    reporter.report.record_product("p1", "Americano (old)", 4500, "OnSale", 2).await.unwrap();
    assert_eq!(reporter.report.product_names().await.unwrap()["p1"], "Americano (new)");
}
