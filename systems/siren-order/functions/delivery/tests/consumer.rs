//! The counter's consumer and its synchronous cancel target, fed with the SQS batches and
//! payloads in `events/`, against the embedded DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use contracts::ticket_cancel::{CancelTicketRequest, CancelTicketResult};
use delivery::consumer::{Counter, on_order_event};
use delivery::store::{DynamoTickets, Guard};
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use platform::inbox::{Inbox, for_each_event};
use serde_json::{Value, json};

fn event<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(
        &std::fs::read_to_string(system_of(env!("CARGO_MANIFEST_DIR")).events_dir().join(name)).unwrap(),
    )
    .unwrap()
}

fn items(emulators: &Emulators, kind: &str) -> Vec<Value> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("DeliveryTable") })).unwrap();
    page["Items"].as_array().unwrap().iter().filter(|i| i["kind"]["S"] == kind).cloned().collect()
}

async fn setup() -> (Emulators, Counter) {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let table = physical_name("DeliveryTable");
    let tickets = DynamoTickets::new(client.clone(), &table, Duration::from_secs(3600));
    let inbox = Inbox::new(client, table, "delivery-on-order-events", Duration::from_secs(3600));
    (emulators, Counter { tickets, inbox, zone: chrono_tz::Asia::Seoul })
}

#[tokio::test]
async fn order_placed_issues_one_ticket_however_often_it_arrives() {
    let (emulators, counter) = setup().await;
    for _ in 0..3 {
        let batch: SqsEvent = event("sqs-delivery-order-placed.json");
        let response = for_each_event(batch, |e| on_order_event(&counter, e)).await;
        assert!(response.batch_item_failures.is_empty());
    }
    let tickets = items(&emulators, "Ticket");
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0]["waitingNumber"]["N"], "1");
    assert_eq!(tickets[0]["status"]["S"], "Waiting");
    let waited: Vec<Value> =
        items(&emulators, "OutboxEvent").into_iter().filter(|i| i["eventType"]["S"] == "OrderWaited").collect();
    assert_eq!(waited.len(), 1, "OrderWaited leaves once");
    assert_eq!(
        counter.tickets.next_number(tickets[0]["businessDay"]["S"].as_str().unwrap()).await.unwrap(),
        2,
        "no number was burnt"
    );

    // The order is cancelled: the waiting ticket is cancelled once.
    let cancelled: SqsEvent = event("sqs-delivery-order-cancelled.json");
    assert!(for_each_event(cancelled, |e| on_order_event(&counter, e)).await.batch_item_failures.is_empty());
    assert_eq!(items(&emulators, "Ticket")[0]["status"]["S"], "Cancelled");
}

#[tokio::test]
async fn a_cancel_before_the_ticket_means_no_ticket_ever() {
    let (emulators, counter) = setup().await;
    let request: CancelTicketRequest = event("cancel-ticket.json");
    let answer = delivery::counter::cancel_ticket(&counter.tickets, request.clone()).await.unwrap();
    assert_eq!(answer.result, CancelTicketResult::Cancelled);
    assert_eq!(counter.tickets.find_guard(&request.order_id).await.unwrap(), Some(Guard::CancelledBeforeIssue));
    let placed: SqsEvent = event("sqs-delivery-order-placed.json");
    assert!(for_each_event(placed, |e| on_order_event(&counter, e)).await.batch_item_failures.is_empty());
    assert!(items(&emulators, "Ticket").is_empty(), "the late OrderPlaced issued no ticket");
}
