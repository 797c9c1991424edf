//! Product's handlers, its quote target and its description consumer, fed with the real samples
//! in `events/` against the embedded DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use platform::testing::{answer, outbox_event_types};
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use contracts::quote_call::{QuoteRequest, QuoteResponse, QuoteStatus};
use devstack::emulators::Emulators;
use devstack::testing::{emulators_with_resources, physical_name, system_of, table_items};
use lambda_http::Request;
use platform::Won;
use platform::inbox::for_each_event;
use product::policies::DESCRIPTION_INBOX;
use product::store::DynamoProducts;
use product::wiring;
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn sample(name: &str) -> Request {
    lambda_http::request::from_str(&system().event_text(name).unwrap()).unwrap()
}

fn items(emulators: &Emulators) -> Vec<Value> {
    table_items(emulators, "ProductTable")
}

fn outbox(emulators: &Emulators) -> Vec<String> {
    outbox_event_types(&items(emulators))
}

async fn quote(store: &DynamoProducts) -> QuoteResponse {
    let request: QuoteRequest = serde_json::from_str(&system().event_text("quote.json").unwrap()).unwrap();
    product::invoke::quote(store, request).await.unwrap()
}

/// The description batch; the number of records that failed.
async fn follow(store: &DynamoProducts) -> usize {
    let batch: SqsEvent = serde_json::from_str(&system().event_text("sqs-product-plan-events.json").unwrap()).unwrap();
    let failures = for_each_event(batch, |e| product::policies::issue_description(store, e)).await;
    failures.batch_item_failures.len()
}

#[tokio::test]
async fn the_samples_register_read_quote_describe_and_stop_a_product() {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let store = DynamoProducts::new(client, physical_name("ProductTable")).with_inbox(DESCRIPTION_INBOX, HOUR);
    let deps = wiring::ProductFunction { products: store.clone() };

    // A fresh stack: no P00000005 yet.
    let (status, _) = answer(product::http::get(&deps, sample("get-product.json")).await);
    assert_eq!(status, 404);
    assert_eq!(quote(&store).await.status, QuoteStatus::UnknownProduct);
    assert_eq!(follow(&store).await, 1, "the description's record fails (retried, then dead-lettered)");

    let (status, invalid) = answer(product::http::register(&deps, sample("register-product-invalid.json")).await);
    let fields: Vec<&str> =
        invalid["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!((status, fields), (400, vec!["productCode", "productName", "minEntryAge", "maxSumInsured"]));
    assert!(items(&emulators).is_empty(), "nothing written");

    let (status, registered) = answer(product::http::register(&deps, sample("register-product.json")).await);
    assert_eq!(
        (status, registered["productCode"].as_str(), registered["status"].as_str(), registered["version"].as_u64()),
        (201, Some("P00000005"), Some("OnSale"), Some(1)),
        "{registered}"
    );
    let (status, _) = answer(product::http::register(&deps, sample("register-product.json")).await);
    assert_eq!(status, 409, "the code exists");
    let (status, read) = answer(product::http::get(&deps, sample("get-product.json")).await);
    assert_eq!((status, &read), (200, &registered));
    let (status, listed) = answer(product::http::list(&deps, sample("list-products.json")).await);
    assert_eq!((status, &listed["products"], &listed["nextToken"]), (200, &json!([registered]), &Value::Null));

    let quoted = quote(&store).await;
    assert_eq!(
        (quoted.status, quoted.product_name.as_deref(), quoted.monthly_premium),
        (QuoteStatus::Quoted, Some("(무)재해사망보장"), Some(Won::new(80_000)))
    );

    // The same ProductDescriptionRequested twice: one description.
    assert_eq!(follow(&store).await, 0);
    assert_eq!(follow(&store).await, 0);
    assert_eq!(outbox(&emulators), ["ProductDescriptionIssued"]);

    let (status, stopped) = answer(product::http::change(&deps, sample("change-product.json")).await);
    assert_eq!((status, stopped["status"].as_str(), stopped["version"].as_u64()), (200, Some("Stopped"), Some(2)));
    let (_, listed) = answer(product::http::list(&deps, sample("list-products.json")).await);
    assert_eq!(listed["products"], json!([]), "a stopped product is not listed");
    let refused = quote(&store).await;
    assert_eq!(refused.status, QuoteStatus::Refused);
    assert_eq!(refused.reasons, ["the product is not on sale"]);
}
