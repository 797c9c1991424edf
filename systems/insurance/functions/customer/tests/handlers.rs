//! Customer's handlers fed with the real samples in `events/` (the get aimed at the number a
//! case registered), against the embedded DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use platform::testing::{answer, outbox_event_types};
use std::time::Duration;

use customer::store::DynamoCustomers;
use customer::wiring;
use devstack::emulators::Emulators;
use devstack::testing::{emulators_with_resources, physical_name, system_of, table_items};
use lambda_http::Request;
use serde_json::Value;

const HOUR: Duration = Duration::from_secs(3600);
/// The customer number and the token subject in the samples.
const SAMPLE_CUSTOMER: &str = "000000002";
const SAMPLE_SUBJECT: &str = "auth0|65b2e1d3c8f5e4b0a2d1ef53";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn sample(name: &str, customer: &str, subject: &str) -> Request {
    let text = system().event_text(name).unwrap().replace(SAMPLE_CUSTOMER, customer).replace(SAMPLE_SUBJECT, subject);
    lambda_http::request::from_str(&text).unwrap()
}

fn items(emulators: &Emulators) -> Vec<Value> {
    table_items(emulators, "CustomerTable")
}

fn outbox(emulators: &Emulators) -> Vec<String> {
    outbox_event_types(&items(emulators))
}

#[tokio::test]
async fn the_samples_register_once_and_read_the_customer_as_its_owner_only() {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let deps =
        wiring::CustomerFunction { customers: DynamoCustomers::new(client, physical_name("CustomerTable"), HOUR) };

    let (status, invalid) = answer(
        customer::http::register(&deps, sample("register-customer-invalid.json", SAMPLE_CUSTOMER, SAMPLE_SUBJECT))
            .await,
    );
    let fields: Vec<&str> =
        invalid["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!((status, fields), (400, vec!["birthDate", "phone"]));
    assert!(items(&emulators).is_empty(), "nothing written");

    let (status, registered) = answer(
        customer::http::register(&deps, sample("register-customer.json", SAMPLE_CUSTOMER, SAMPLE_SUBJECT)).await,
    );
    assert_eq!(
        (status, registered["name"].as_str(), registered["birthDate"].as_str(), registered["phone"].as_str()),
        (201, Some("양건우"), Some("1985-03-15"), Some("010-1234-5678")),
        "{registered}"
    );
    let no = registered["customerNo"].as_str().unwrap();
    assert!(no.len() == 9 && no.bytes().all(|b| b.is_ascii_digit()), "{no}");
    let (status, _) = answer(
        customer::http::register(&deps, sample("register-customer.json", SAMPLE_CUSTOMER, SAMPLE_SUBJECT)).await,
    );
    assert_eq!(status, 409, "the subject registered already");
    assert_eq!(outbox(&emulators), ["CustomerRegistered"], "one event");

    let (status, read) = answer(customer::http::get(&deps, sample("get-customer.json", no, SAMPLE_SUBJECT)).await);
    assert_eq!((status, &read), (200, &registered));
    let (status, _) = answer(customer::http::get(&deps, sample("get-customer.json", no, "auth0|someone-else")).await);
    assert_eq!(status, 404, "another's customer is not shown");
    let unknown = if no == "999999999" { "999999998" } else { "999999999" };
    let (status, _) = answer(customer::http::get(&deps, sample("get-customer.json", unknown, SAMPLE_SUBJECT)).await);
    assert_eq!(status, 404);
}
