//! Proposal's handlers and its event consumer, fed with the real samples in `events/` (aimed at
//! the proposal a case made), against the embedded DynamoDB with the template's tables and a fake
//! pay call.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use platform::testing::{answer, outbox_event_types};
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::Emulators;
use devstack::testing::{emulators_with_resources, physical_name, system_of, table_items};
use lambda_http::Request;
use platform::inbox::for_each_event;
use platform::invoke::InvokeError;
use proposal::domain::{Account, PaymentId, Proposal};
use proposal::policies::FOLLOW_INBOX;
use proposal::ports::{Pay, Payment};
use proposal::store::DynamoProposals;
use proposal::wiring;

const HOUR: Duration = Duration::from_secs(3600);
/// The proposal number in the samples.
const SAMPLE_PROPOSAL: &str = "20261122093501";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn sample(name: &str, proposal: &str) -> Request {
    lambda_http::request::from_str(&system().event_text(name).unwrap().replace(SAMPLE_PROPOSAL, proposal)).unwrap()
}

fn outbox(emulators: &Emulators) -> Vec<String> {
    outbox_event_types(&table_items(emulators, "ProposalTable"))
}

/// Payment approving, or (`None`) not answering in time.
#[derive(Clone)]
struct FakePay(Option<Payment>);

impl Pay for FakePay {
    async fn pay(&self, _: &Proposal, _: &Account) -> Result<Payment, InvokeError> {
        self.0.clone().ok_or_else(|| InvokeError::Timeout { function: "PayFunction".into(), timeout_ms: 610 })
    }
}

async fn follow(store: &DynamoProposals, file: &str) {
    let batch: SqsEvent = serde_json::from_str(&system().event_text(file).unwrap()).unwrap();
    let failures = for_each_event(batch, |e| proposal::policies::follow_events(store, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{file}: {failures:?}");
}

#[tokio::test]
async fn the_samples_submit_pay_and_withdraw_and_a_timeout_is_reconciled_by_pay_approved() {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let store =
        DynamoProposals::new(client, physical_name("ProposalTable")).with_outbox(HOUR).with_inbox(FOLLOW_INBOX, HOUR);
    let deps = wiring::ProposalFunction { store: store.clone() };

    // Before the plan copy: 404. The description first, then the plan (either order), twice.
    let (status, _) = answer(proposal::http::submit(&deps, sample("submit-proposal.json", SAMPLE_PROPOSAL)).await);
    assert_eq!(status, 404);
    follow(&store, "sqs-proposal-reordered.json").await;
    follow(&store, "sqs-proposal-reordered.json").await;
    let (status, submitted) =
        answer(proposal::http::submit(&deps, sample("submit-proposal.json", SAMPLE_PROPOSAL)).await);
    assert_eq!(
        (status, submitted["status"].as_str(), submitted["firstPremium"].as_u64()),
        (201, Some("Submitted"), Some(80_000)),
        "{submitted}"
    );
    let (status, again) = answer(proposal::http::submit(&deps, sample("submit-proposal.json", SAMPLE_PROPOSAL)).await);
    assert_eq!((status, &again), (201, &submitted), "the same key answers the first answer");
    let no = submitted["proposalNo"].as_str().unwrap();

    // The payment times out: 503, still Submitted; the sample PayApproved (aimed at it) concludes it once.
    let slow = wiring::PayProposal { store: store.clone(), pay: FakePay(None) };
    let (status, _) = answer(proposal::http::pay(&slow, sample("pay-proposal.json", no)).await);
    assert_eq!(status, 503);
    let (status, invalid) = answer(proposal::http::pay(&slow, sample("pay-proposal-invalid.json", no)).await);
    let fields: Vec<&str> =
        invalid["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!((status, fields), (400, vec!["bankCode", "accountNo", "accountHolder"]));
    let text = system().event_text("sqs-proposal-events.json").unwrap().replace(SAMPLE_PROPOSAL, no);
    let batch: SqsEvent = serde_json::from_str(&text).unwrap();
    for _ in 0..2 {
        let failures = for_each_event(batch.clone(), |e| proposal::policies::follow_events(&store, e)).await;
        assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
    }
    let (_, read) = answer(proposal::http::get(&deps, sample("get-proposal.json", no)).await);
    assert_eq!(read["status"], "Contracted", "{read}");
    let approving = wiring::PayProposal {
        store: store.clone(),
        pay: FakePay(Some(Payment::Approved(PaymentId::parse("other").unwrap()))),
    };
    let (status, paid) = answer(proposal::http::pay(&approving, sample("pay-proposal.json", no)).await);
    assert_eq!(
        (status, paid["status"].as_str(), paid["paymentId"].as_str()),
        (200, Some("Contracted"), Some("019a9a3c-7d00-7a1b-8c2d-3e4f5a6b7c8d")),
        "the reconciled payment, no second one"
    );

    let (status, withdrawn) = answer(proposal::http::withdraw(&deps, sample("withdraw-proposal.json", no)).await);
    assert_eq!((status, withdrawn["status"].as_str()), (200, Some("Withdrawn")));
    let (status, _) = answer(proposal::http::withdraw(&deps, sample("withdraw-proposal.json", no)).await);
    assert_eq!(status, 409);
    assert_eq!(outbox(&emulators), ["ContractConcluded", "ProposalSubmitted", "ProposalWithdrawn"], "each event once");
}
