//! Plan's handlers and its event consumer, fed with the real samples in `events/` (aimed at the
//! plan a case saved), against the embedded DynamoDB with the template's tables and a fake
//! product quote (the scenario's price, refusing above the limit amount).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use platform::testing::{answer, outbox_event_types};
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::Emulators;
use devstack::testing::{emulators_with_resources, physical_name, system_of, table_items};
use lambda_http::Request;
use plan::domain::{Design, Quoted};
use plan::policies::FOLLOW_INBOX;
use plan::ports::{Quote, QuoteAnswer};
use plan::store::DynamoPlans;
use plan::wiring;
use platform::Won;
use platform::inbox::for_each_event;
use platform::invoke::InvokeError;

const HOUR: Duration = Duration::from_secs(3600);
/// The plan number in the samples.
const SAMPLE_PLAN: &str = "20261122093015";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn sample(name: &str, plan: &str) -> Request {
    lambda_http::request::from_str(&system().event_text(name).unwrap().replace(SAMPLE_PLAN, plan)).unwrap()
}

fn outbox(emulators: &Emulators) -> Vec<String> {
    outbox_event_types(&table_items(emulators, "PlanTable"))
}

/// Product with the scenario's price (1,600 won per million) and limit (100,000,000 won).
#[derive(Clone)]
struct FakeProduct;

impl Quote for FakeProduct {
    async fn quote(&self, design: &Design, _: u32) -> Result<QuoteAnswer, InvokeError> {
        let sum = design.sum_insured.get();
        Ok(if sum > 100_000_000 {
            QuoteAnswer::Refused(vec![format!(
                "limit amount: sumInsured {sum} is above maxSumInsured 100000000 (한도금액)"
            )])
        } else {
            QuoteAnswer::Quoted(Quoted {
                product_name: "(무)재해사망보장".into(),
                monthly_premium: Won::new(sum / 1_000_000 * 1_600),
            })
        })
    }
}

async fn follow(store: &DynamoPlans, plan: &str) {
    let text = system().event_text("sqs-plan-events.json").unwrap().replace(SAMPLE_PLAN, plan);
    let batch: SqsEvent = serde_json::from_str(&text).unwrap();
    let failures = for_each_event(batch, |e| plan::policies::follow_events(store, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
}

#[tokio::test]
async fn the_samples_quote_save_request_change_and_read_a_plan_and_the_events_apply_once() {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let store = DynamoPlans::new(client, physical_name("PlanTable")).with_outbox(HOUR).with_inbox(FOLLOW_INBOX, HOUR);
    let quoting = wiring::QuotingFunction { store: store.clone(), product: FakeProduct };
    let deps = wiring::PlanFunction { store: store.clone() };

    // Before CustomerRegistered: the customer is not known yet.
    let (status, _) = answer(plan::http::quote(&quoting, sample("quote-plan.json", SAMPLE_PLAN)).await);
    assert_eq!(status, 404);
    let (status, _) = answer(plan::http::save(&quoting, sample("save-plan.json", SAMPLE_PLAN)).await);
    assert_eq!(status, 404, "nothing saved before the customer copy");
    // The batch twice (its description names no plan yet: acknowledged).
    follow(&store, SAMPLE_PLAN).await;
    follow(&store, SAMPLE_PLAN).await;

    let (status, quoted) = answer(plan::http::quote(&quoting, sample("quote-plan.json", SAMPLE_PLAN)).await);
    assert_eq!((status, quoted["monthlyPremium"].as_u64()), (200, Some(80_000)), "{quoted}");
    assert_eq!(quoted["productName"], "(무)재해사망보장");
    let (status, over) = answer(plan::http::quote(&quoting, sample("quote-plan-over-limit.json", SAMPLE_PLAN)).await);
    assert_eq!(status, 422, "{over}");
    assert!(over.to_string().contains("한도금액"), "names the limit amount: {over}");
    assert!(outbox(&emulators).is_empty(), "a quote saves nothing");

    let (status, invalid) = answer(plan::http::save(&quoting, sample("save-plan-invalid.json", SAMPLE_PLAN)).await);
    let fields: Vec<&str> =
        invalid["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!((status, fields), (400, vec!["customerNo", "sumInsured", "paymentCycle"]));
    let (status, saved) = answer(plan::http::save(&quoting, sample("save-plan.json", SAMPLE_PLAN)).await);
    assert_eq!(
        (status, saved["status"].as_str(), saved["version"].as_u64(), saved["monthlyPremium"].as_u64()),
        (201, Some("Designed"), Some(1), Some(80_000)),
        "{saved}"
    );
    let (status, again) = answer(plan::http::save(&quoting, sample("save-plan.json", SAMPLE_PLAN)).await);
    assert_eq!((status, &again), (201, &saved), "the same key answers the first answer");
    let no = saved["planNo"].as_str().unwrap();

    let (status, requested) =
        answer(plan::http::request_description(&deps, sample("request-description.json", no)).await);
    assert_eq!(
        (status, requested["status"].as_str(), requested["version"].as_u64()),
        (202, Some("DescriptionRequested"), Some(1))
    );
    // ProductDescriptionIssued for version 1, aimed at this plan, twice.
    follow(&store, no).await;
    follow(&store, no).await;
    let (status, read) = answer(plan::http::get(&deps, sample("get-plan.json", no)).await);
    assert_eq!((status, read["status"].as_str()), (200, Some("DescriptionIssued")), "{read}");

    let (status, changed) = answer(plan::http::change(&quoting, sample("change-plan.json", no)).await);
    assert_eq!(
        (status, changed["status"].as_str(), changed["version"].as_u64(), changed["monthlyPremium"].as_u64()),
        (200, Some("Designed"), Some(2), Some(96_000)),
        "{changed}"
    );
    // The version 1 description again: older than the plan now, nothing changes.
    follow(&store, no).await;
    let (_, read) = answer(plan::http::get(&deps, sample("get-plan.json", no)).await);
    assert_eq!((read["status"].as_str(), read["version"].as_u64()), (Some("Designed"), Some(2)), "{read}");
    let (status, _) = answer(plan::http::get(&deps, sample("get-plan.json", "20261122093099")).await);
    assert_eq!(status, 404);

    let events = outbox(&emulators);
    assert_eq!(events.iter().filter(|e| *e == "PlanSaved").count(), 2, "save and change: {events:?}");
    assert_eq!(events.iter().filter(|e| *e == "ProductDescriptionRequested").count(), 1, "{events:?}");
}
