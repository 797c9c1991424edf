//! The my page's handler and its consumer, fed with the real samples in `events/`
//! (`sqs-mypage-events.json`, `get-mypages.json`, `get-mypages-manager.json`) against the
//! embedded DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use platform::testing::answer;
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::Request;
use mypage::policies::MYPAGE_INBOX;
use mypage::store::DynamoMyPages;
use mypage::wiring;
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

async fn follow(store: &DynamoMyPages) {
    let batch: SqsEvent = serde_json::from_str(&system().event_text("sqs-mypage-events.json").unwrap()).unwrap();
    let failures = for_each_event(batch, |e| mypage::policies::record_progress(store, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
}

#[tokio::test]
async fn the_sample_batch_builds_one_row_once_and_the_samples_read_it_as_owner_and_manager() {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let store = DynamoMyPages::new(client, physical_name("MyPageTable")).with_inbox(MYPAGE_INBOX, HOUR);
    let deps = wiring::ReadMyPages { pages: store.clone() };

    let (status, _) = answer(mypage::http::get(&deps, sample("get-mypages.json", SAMPLE_SUBJECT)).await);
    assert_eq!(status, 404, "the customer is not known yet");

    follow(&store).await;
    let (status, first) = answer(mypage::http::get(&deps, sample("get-mypages.json", SAMPLE_SUBJECT)).await);
    assert_eq!(status, 200, "{first}");
    follow(&store).await;
    let (_, again) = answer(mypage::http::get(&deps, sample("get-mypages.json", SAMPLE_SUBJECT)).await);
    assert_eq!(again, first, "the batch again changes nothing");

    let rows = first["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{first}");
    let row = &rows[0];
    assert_eq!(
        (row["customerNo"].as_str(), row["planNo"].as_str(), row["proposalNo"].as_str()),
        (Some("000000002"), Some("20261122093015"), Some("20261122093501"))
    );
    assert_eq!(
        (row["status"].as_str(), row["progress"].as_str(), row["paymentStatus"].as_str(), row["paidAmount"].as_u64()),
        (Some("Withdrawn"), Some("청약철회"), Some("Cancelled"), Some(80_000)),
        "{row}"
    );
    assert_eq!((row["monthlyPremium"].as_u64(), row["productName"].as_str()), (Some(80_000), Some("(무)재해사망보장")));

    let (status, _) = answer(mypage::http::get(&deps, sample("get-mypages.json", "auth0|someone-else")).await);
    assert_eq!(status, 403, "another customer's rows");
    let (status, all) = answer(mypage::http::get(&deps, sample("get-mypages-manager.json", SAMPLE_SUBJECT)).await);
    assert_eq!((status, &all["rows"]), (200, &first["rows"]), "the manager sees every row");
}
