//! Every domain event in the system's sample events (`events/`) reads as its contract: the
//! envelopes inside SQS bodies (SNS notifications) and outbox stream images decode into their
//! topic's event enum and serialize back to the same data; the synchronous calls' samples are a
//! `QuoteRequest` and a `PayRequest`.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::path::Path;

use contracts::alarm::AlarmEvent;
use contracts::customer::CustomerEvent;
use contracts::pay_call::PayRequest;
use contracts::payment::PaymentEvent;
use contracts::plan::PlanEvent;
use contracts::product::ProductEvent;
use contracts::proposal::ProposalEvent;
use contracts::quote_call::QuoteRequest;
use platform::Won;
use stack_test::golden::{self, correlated_by, round_trips};

fn events_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
}

#[test]
fn every_sample_envelope_is_an_event_of_its_topic_and_round_trips() {
    let samples = golden::samples(&events_dir());
    golden::assert_envelopes(&samples.envelopes, 20, |envelope| {
        let key = match envelope.source.as_str() {
            "customer" => round_trips::<CustomerEvent>(envelope).map(|()| "customerNo"),
            "product" => round_trips::<ProductEvent>(envelope).map(|()| "planNo"),
            "plan" => round_trips::<PlanEvent>(envelope).map(|()| "planNo"),
            "proposal" => round_trips::<ProposalEvent>(envelope).map(|()| "proposalNo"),
            "payment" => round_trips::<PaymentEvent>(envelope).map(|()| "proposalNo"),
            "alarm" => round_trips::<AlarmEvent>(envelope).map(|()| "planNo"),
            other => Err(format!("an event from {other}")),
        }?;
        correlated_by(envelope, key)
    });
}

#[test]
fn the_call_samples_are_a_quote_of_50000000_won_and_a_pay_of_80000() {
    let quote: QuoteRequest =
        serde_json::from_str(&std::fs::read_to_string(events_dir().join("quote.json")).unwrap()).unwrap();
    assert_eq!((quote.sum_insured, quote.age), (Won::new(50_000_000), 41));
    let pay: PayRequest =
        serde_json::from_str(&std::fs::read_to_string(events_dir().join("pay.json")).unwrap()).unwrap();
    assert_eq!(pay.amount, Won::new(80_000));
    assert!(serde_json::from_str::<QuoteRequest>(r#"{"productCode": "P", "age": 1, "sumInsured": 1, "terms": {"insurancePeriodYears": 1, "paymentPeriodYears": 1, "paymentCycle": "Monthly"}, "x": 1}"#).is_err());
}
