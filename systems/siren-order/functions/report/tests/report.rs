//! The report fed with the SQS batch in `events/` (in order, reversed, duplicated) and read
//! back through the handlers with the sample requests, against the embedded DynamoDB with
//! the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Response};
use platform::Won;
use platform::inbox::for_each_event;
use report::domain::{ProductFacts, ProductId, ProductStatus};
use report::policies::record_sales_facts;
use report::ports::{Kept, ReportFacts, ReportViews};
use report::store::DynamoReport;
use serde_json::{Value, json};

static SEOUL: std::sync::LazyLock<platform::zone::Zone> =
    std::sync::LazyLock::new(|| platform::zone::Zone::named("Asia/Seoul").unwrap());

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

async fn report() -> (Emulators, DynamoReport) {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let report = DynamoReport::new(platform::testing::dynamodb(&emulators.dynamodb_url), physical_name("ReportTable"));
    (emulators, report)
}

async fn record(report: &DynamoReport, records: Vec<SqsMessage>) {
    let response = for_each_event(batch(records), |e| record_sales_facts(report, &SEOUL, e)).await;
    assert!(response.batch_item_failures.is_empty(), "{:?}", response.batch_item_failures);
}

async fn sales(report: &DynamoReport) -> Value {
    let request = lambda_http::request::from_str(&text("sales-report.json")).unwrap();
    body(&platform::http::respond(report::http::sales_report(report, request).await))
}

async fn orders(report: &DynamoReport) -> Value {
    let request = lambda_http::request::from_str(&text("orders-report.json")).unwrap();
    body(&platform::http::respond(report::http::orders_report(report, request).await))
}

#[tokio::test]
async fn duplicated_and_reordered_events_give_the_same_reports() {
    let all: SqsEvent = serde_json::from_str(&text("sqs-report-events.json")).unwrap();
    let (_in_order_stack, in_order) = report().await;
    record(&in_order, all.records.clone()).await;
    let expected = sales(&in_order).await;
    assert_eq!(
        expected,
        json!({
            "date": "2026-11-21",
            "orders": 1,
            "revenue": 9000,
            "cancelled": { "count": 0, "amount": 0 },
            "products": [{
                "productId": "01a1fcae-3f0f-715a-920b-ecd273ccf4ed", "name": "Americano", "quantity": 2, "revenue": 9000
            }],
            "completedOrders": 1,
            // OrderCompleted occurred five minutes after the order was placed.
            "averageCompletionSeconds": 300.0,
        })
    );
    let expected_orders = orders(&in_order).await;
    assert_eq!(
        expected_orders,
        json!({
            "date": "2026-11-21",
            "orders": [{
                "orderId": "01a1fcae-4122-72bd-a903-a28266cbd449",
                "customerId": "01a1fcae-3de8-72e8-9d91-af9e4b458b9a",
                "status": "Completed",
                "amount": 9000,
                "waitingNumber": 1,
                "placedAt": "2026-11-21T05:57:20.802Z",
            }],
            "nextToken": null,
        })
    );

    // Reversed, and every event twice: the same reports.
    let (stack, shuffled) = report().await;
    let mut records = all.records.clone();
    records.reverse();
    records.extend(all.records.clone());
    record(&shuffled, records).await;
    assert_eq!(sales(&shuffled).await, expected);
    assert_eq!(orders(&shuffled).await, expected_orders);

    // One view per order and per product, the lines a list of maps.
    let page = stack.ddb(Database::scan, json!({ "TableName": physical_name("ReportTable") })).unwrap();
    let mut keys: Vec<(&str, &str)> = page["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["pk"]["S"].as_str().unwrap(), i["sk"]["S"].as_str().unwrap()))
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            ("ORDER#01a1fcae-4122-72bd-a903-a28266cbd449", "VIEW"),
            ("PRODUCTS", "PRODUCT#01a1fcae-3f0f-715a-920b-ecd273ccf4ed")
        ]
    );
    let view = page["Items"].as_array().unwrap().iter().find(|i| i["sk"]["S"] == "VIEW").unwrap();
    assert_eq!(view["lines"]["L"][0]["M"]["quantity"]["N"], "2");
    assert_eq!(view["gsi1pk"]["S"], "DAY#2026-11-21");
    assert_eq!(view["gsi1sk"]["S"], "2026-11-21T05:57:20.802Z#01a1fcae-4122-72bd-a903-a28266cbd449");
}

#[tokio::test]
async fn a_late_cancellation_takes_the_order_out_of_the_revenue() {
    let all: SqsEvent = serde_json::from_str(&text("sqs-report-events.json")).unwrap();
    let (_stack, report) = report().await;
    record(&report, all.records.clone()).await;
    let placed = platform::inbox::envelope_from_sqs(&all.records[0]).unwrap();
    let mut cancelled = placed.clone();
    cancelled.id = "01a1fcae-7000-7000-8000-00000000c0de".into();
    cancelled.event_type = "OrderCancelled".into();
    cancelled.data = json!({
        "orderId": placed.data["orderId"],
        "customerId": placed.data["customerId"],
        "amount": 9000,
        "reason": "CustomerRequest",
    });
    record_sales_facts(&report, &SEOUL, cancelled).await.unwrap();
    let sales = sales(&report).await;
    assert_eq!((sales["orders"].as_u64(), sales["revenue"].as_u64()), (Some(0), Some(0)));
    assert_eq!(sales["cancelled"], json!({ "count": 1, "amount": 9000 }));
    assert_eq!(sales["products"], json!([]));
    assert_eq!(sales["completedOrders"], 0);
    assert_eq!(orders(&report).await["orders"][0]["status"], "Cancelled");
}

#[tokio::test]
async fn an_older_product_change_does_not_overwrite_a_newer_one() {
    let (_stack, report) = report().await;
    let americano = |name: &str, version| ProductFacts {
        product_id: ProductId::parse("p1").unwrap(),
        name: name.into(),
        price: Won::new(4500),
        status: ProductStatus::OnSale,
        version,
    };
    assert_eq!(report.keep_product(&americano("Americano (new)", 3)).await.unwrap(), Kept::Now);
    assert_eq!(report.keep_product(&americano("Americano (old)", 2)).await.unwrap(), Kept::Stale);
    assert_eq!(report.keep_product(&americano("Americano (same)", 3)).await.unwrap(), Kept::Stale);
    let names = report.product_names().await.unwrap();
    assert_eq!(names[&ProductId::parse("p1").unwrap()], "Americano (new)");
}

#[tokio::test]
async fn a_bad_date_or_a_non_owner_is_refused_before_anything_is_read() {
    let (_stack, report) = report().await;
    let mut request: Value = serde_json::from_str(&text("sales-report.json")).unwrap();
    request["queryStringParameters"]["date"] = json!("2026-13-45");
    request["rawQueryString"] = json!("date=2026-13-45");
    let bad_date = lambda_http::request::from_str(&request.to_string()).unwrap();
    let response = platform::http::respond(report::http::sales_report(&report, bad_date).await);
    assert_eq!(response.status(), 400);
    assert_eq!(body(&response)["errors"][0]["field"], "date");

    request["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = json!("[barista]");
    let barista = lambda_http::request::from_str(&request.to_string()).unwrap();
    assert_eq!(platform::http::respond(report::http::orders_report(&report, barista).await).status(), 403);
}
