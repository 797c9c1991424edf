//! Alarm's handler and its consumer, fed with the real samples in `events/`
//! (`sqs-alarm-events.json`, `list-messages.json`) against the embedded DynamoDB with the
//! template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use platform::testing::{answer, outbox_event_types};
use std::time::Duration;

use alarm::store::DynamoMessages;
use alarm::wiring;
use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::Emulators;
use devstack::testing::{emulators_with_resources, physical_name, system_of, table_items};
use lambda_http::Request;
use platform::inbox::for_each_event;

const HOUR: Duration = Duration::from_secs(3600);
/// The token subject in the samples.
const SAMPLE_SUBJECT: &str = "auth0|65b2e1d3c8f5e4b0a2d1ef53";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn sample(name: &str, subject: &str) -> Request {
    lambda_http::request::from_str(&system().event_text(name).unwrap().replace(SAMPLE_SUBJECT, subject)).unwrap()
}

fn outbox(emulators: &Emulators) -> Vec<String> {
    outbox_event_types(&table_items(emulators, "AlarmTable"))
}

async fn follow(store: &DynamoMessages) {
    let batch: SqsEvent = serde_json::from_str(&system().event_text("sqs-alarm-events.json").unwrap()).unwrap();
    let failures = for_each_event(batch, |e| alarm::policies::notify_customer(store, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
}

#[tokio::test]
async fn the_sample_batch_sends_one_message_per_occasion_once_and_the_sample_lists_them() {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let store = DynamoMessages::new(client, physical_name("AlarmTable"), HOUR);
    let deps = wiring::AlarmFunction { messages: store.clone() };

    let (status, _) = answer(alarm::http::list(&deps, sample("list-messages.json", SAMPLE_SUBJECT)).await);
    assert_eq!(status, 404, "the customer is not known yet");

    follow(&store).await;
    follow(&store).await;
    let (status, listed) = answer(alarm::http::list(&deps, sample("list-messages.json", SAMPLE_SUBJECT)).await);
    assert_eq!(status, 200, "{listed}");
    let mut kinds: Vec<&str> =
        listed["messages"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        ["ContractConcluded", "PayCancelled", "ProductDescriptionIssued", "ProposalSubmitted", "ProposalWithdrawn"],
        "one per occasion, however often the batch arrives"
    );
    assert!(listed["messages"].as_array().unwrap().iter().all(|m| m["customerNo"] == "000000002"));
    assert_eq!(outbox(&emulators).iter().filter(|e| *e == "MessageSent").count(), 5, "{:?}", outbox(&emulators));

    let (status, _) = answer(alarm::http::list(&deps, sample("list-messages.json", "auth0|someone-else")).await);
    assert_eq!(status, 403, "another customer's messages");
}
