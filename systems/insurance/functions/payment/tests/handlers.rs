//! Payment's synchronous pay target and its event consumer, fed with the real samples in
//! `events/` (`pay.json`, `sqs-payment-proposal-events.json`, aimed at the proposal a case
//! names; an empty number or no amount refused), against the embedded DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use platform::testing::outbox_event_types;
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use contracts::pay_call::{PayRequest, PayResponse, PayStatus};
use devstack::emulators::Emulators;
use devstack::testing::{emulators_with_resources, physical_name, system_of, table_items};
use payment::policies::PROPOSAL_EVENTS_INBOX;
use payment::store::DynamoPayments;
use platform::inbox::for_each_event;
use serde_json::Value;

const HOUR: Duration = Duration::from_secs(3600);
/// The proposal number in the samples.
const SAMPLE_PROPOSAL: &str = "20261122093501";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn pay_request(proposal: &str) -> PayRequest {
    serde_json::from_str(&system().event_text("pay.json").unwrap().replace(SAMPLE_PROPOSAL, proposal)).unwrap()
}

async fn pay(store: &DynamoPayments, proposal: &str) -> PayResponse {
    payment::invoke::pay(store, pay_request(proposal)).await.unwrap()
}

async fn withdraw(store: &DynamoPayments, proposal: &str) {
    let text = system().event_text("sqs-payment-proposal-events.json").unwrap().replace(SAMPLE_PROPOSAL, proposal);
    let batch: SqsEvent = serde_json::from_str(&text).unwrap();
    let failures = for_each_event(batch, |e| payment::policies::give_back(store, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
}

fn items(emulators: &Emulators) -> Vec<Value> {
    table_items(emulators, "PaymentTable")
}

fn outbox(emulators: &Emulators) -> Vec<String> {
    outbox_event_types(&items(emulators))
}

fn store(emulators: &Emulators) -> DynamoPayments {
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    DynamoPayments::new(client, physical_name("PaymentTable"), HOUR).with_inbox(PROPOSAL_EVENTS_INBOX, HOUR)
}

#[tokio::test]
async fn the_sample_pay_approves_once_and_the_sample_withdrawal_cancels_it_once() {
    let emulators = emulators_with_resources(system().template()).await;
    let store = store(&emulators);

    let first = pay(&store, SAMPLE_PROPOSAL).await;
    assert_eq!(first.status, PayStatus::Approved);
    assert!(first.payment_id.is_some());
    assert_eq!(pay(&store, SAMPLE_PROPOSAL).await, first, "a repeat answers the same payment");
    assert_eq!(outbox(&emulators), ["PayApproved"], "charged once");

    withdraw(&store, SAMPLE_PROPOSAL).await;
    withdraw(&store, SAMPLE_PROPOSAL).await;
    assert_eq!(outbox(&emulators), ["PayApproved", "PayCancelled"], "cancelled once");
    let payment = items(&emulators).into_iter().find(|i| i["kind"]["S"] == "Payment").unwrap();
    assert_eq!(payment["status"]["S"], "Cancelled", "{payment}");

    let late = pay(&store, SAMPLE_PROPOSAL).await;
    assert_eq!((late.status, late.payment_id), (PayStatus::Refused, None), "a cancelled payment stays cancelled");
    assert_eq!(outbox(&emulators).len(), 2);
}

#[tokio::test]
async fn the_sample_withdrawal_ahead_of_the_payment_leaves_a_tombstone_that_refuses_it() {
    let emulators = emulators_with_resources(system().template()).await;
    let store = store(&emulators);
    withdraw(&store, SAMPLE_PROPOSAL).await;
    withdraw(&store, SAMPLE_PROPOSAL).await;
    assert!(items(&emulators).iter().any(|i| i["kind"]["S"] == "Tombstone"));

    let refused = pay(&store, SAMPLE_PROPOSAL).await;
    assert_eq!((refused.status, refused.payment_id), (PayStatus::Refused, None));
    assert!(outbox(&emulators).is_empty(), "no PayApproved, no PayCancelled");

    // Another proposal is paid as usual.
    assert_eq!(pay(&store, "20261122093502").await.status, PayStatus::Approved);
    assert_eq!(outbox(&emulators), ["PayApproved"]);
}

#[tokio::test]
async fn a_sample_with_an_empty_number_or_no_amount_is_refused_and_writes_nothing() {
    let emulators = emulators_with_resources(system().template()).await;
    let store = store(&emulators);
    let bad = pay_request("");
    assert!(payment::invoke::pay(&store, bad).await.is_err());
    let mut free = pay_request(SAMPLE_PROPOSAL);
    free.amount = platform::Won::ZERO;
    assert!(payment::invoke::pay(&store, free).await.is_err());
    assert!(items(&emulators).is_empty(), "nothing written");
}
