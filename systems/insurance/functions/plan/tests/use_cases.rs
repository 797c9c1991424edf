//! Plan's use cases against in-memory fakes of its ports: the quote through a fake product (a
//! premium, every failing condition, or no answer in time: nothing saved), the customer copy,
//! saving, changing, requesting the description and its issue for the current version only.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::NaiveDate;
use plan::application::{self, FirstAnswer, Followed, PlanError, QuoteError, SavePlan, Saved};
use plan::domain::{CustomerCopy, Design, PaymentCycle, Plan, PlanEvent, PlanNo, PlanStatus, Quoted};
use plan::ports::{Customers, Plans, Quote, QuoteAnswer};
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;

#[derive(Default)]
struct Memory {
    customers: Mutex<HashMap<String, CustomerCopy>>,
    plans: Mutex<HashMap<PlanNo, Plan>>,
    answers: Mutex<HashMap<String, IdempotencyRecord>>,
    outbox: Mutex<Vec<PlanEvent>>,
    inbox: Mutex<HashSet<String>>,
}

impl Customers for Memory {
    async fn find_customer(&self, no: &str) -> anyhow::Result<Option<CustomerCopy>> {
        Ok(self.customers.lock().unwrap().get(no).cloned())
    }

    async fn save_customer_once(&self, cause: &EventEnvelope, copy: &CustomerCopy) -> Result<Applied, WriteError> {
        if !self.inbox.lock().unwrap().insert(cause.id.clone()) {
            return Ok(Applied::AlreadyDone);
        }
        self.customers.lock().unwrap().insert(copy.customer_no.clone(), copy.clone());
        Ok(Applied::Now)
    }
}

impl Plans for Memory {
    async fn find(&self, no: &PlanNo) -> anyhow::Result<Option<Plan>> {
        Ok(self.plans.lock().unwrap().get(no).cloned())
    }

    async fn find_idempotency(&self, subject: &str, key: &IdempotencyKey) -> anyhow::Result<Option<IdempotencyRecord>> {
        Ok(self.answers.lock().unwrap().get(&format!("{subject}#{}", key.as_str())).cloned())
    }

    async fn create(
        &self,
        plan: &Plan,
        events: &[PlanEvent],
        answer: Option<(&IdempotencyKey, &IdempotencyRecord)>,
    ) -> Result<(), WriteError> {
        self.plans.lock().unwrap().insert(plan.plan_no.clone(), plan.clone());
        if let Some((key, record)) = answer {
            self.answers.lock().unwrap().insert(format!("{}#{}", plan.customer.subject, key.as_str()), record.clone());
        }
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }

    async fn save(&self, plan: &Plan, expected: u64, events: &[PlanEvent]) -> Result<(), WriteError> {
        let mut plans = self.plans.lock().unwrap();
        if plans.get(&plan.plan_no).map(|p| p.revision) != Some(expected) {
            return Err(WriteError::Conflict);
        }
        plans.insert(plan.plan_no.clone(), plan.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }

    async fn save_once(&self, cause: &EventEnvelope, plan: &Plan, expected: u64) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        self.save(plan, expected, &[]).await?;
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }

    async fn skip_once(&self, cause: &EventEnvelope) -> Result<Applied, WriteError> {
        Ok(if self.inbox.lock().unwrap().insert(cause.id.clone()) { Applied::Now } else { Applied::AlreadyDone })
    }
}

/// Product answering the scenario's premium, every failing condition, or nothing in time.
enum FakeProduct {
    Premium,
    Refusing,
    Down,
}

impl Quote for FakeProduct {
    async fn quote(&self, design: &Design, age: u32) -> Result<QuoteAnswer, InvokeError> {
        match self {
            Self::Premium => Ok(QuoteAnswer::Quoted(Quoted {
                product_name: "(무)재해사망보장".into(),
                monthly_premium: Won::new(design.sum_insured.get() / 1_000_000 * 1_600),
            })),
            Self::Refusing => Ok(QuoteAnswer::Refused(vec![format!("entry age: {age} is outside 15..60 (가입연령)")])),
            Self::Down => Err(InvokeError::Timeout { function: "QuoteFunction".into(), timeout_ms: 610 }),
        }
    }
}

const SUBJECT: &str = "auth0|y";

fn design(sum: u64) -> Design {
    Design {
        product_code: "P00000005".into(),
        sum_insured: Won::new(sum),
        insurance_period_years: 20,
        payment_period_years: 20,
        payment_cycle: PaymentCycle::Monthly,
        planner_no: None,
        planner_name: None,
        sales_org_no: None,
        sales_org_name: None,
    }
}

fn event(id: &str) -> EventEnvelope {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "X", "version": 1, "source": "test", "correlationId": "c",
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": {}
    }))
    .unwrap()
}

async fn known_customer(memory: &Memory) {
    let copy = CustomerCopy {
        customer_no: "000000002".into(),
        name: "양건우".into(),
        birth_date: NaiveDate::from_ymd_opt(1985, 3, 15).unwrap(),
        subject: SUBJECT.into(),
    };
    assert_eq!(application::keep_customer(memory, &copy, &event("c-1")).await.unwrap(), Followed::Changed);
    assert_eq!(application::keep_customer(memory, &copy, &event("c-1")).await.unwrap(), Followed::Nothing);
}

fn command(key: Option<&str>) -> SavePlan {
    SavePlan {
        subject: SUBJECT.into(),
        key: key.map(|k| {
            let request = lambda_http::http::Request::builder()
                .header("Idempotency-Key", k)
                .body(lambda_http::Body::Empty)
                .unwrap();
            platform::idempotency::key(&request).unwrap()
        }),
        customer_no: "000000002".into(),
        design: design(50_000_000),
    }
}

fn answer(plan: &Plan) -> anyhow::Result<FirstAnswer> {
    Ok(FirstAnswer { status: 201, body: plan.plan_no.to_string() })
}

#[tokio::test]
async fn a_quote_needs_a_known_customer_of_the_caller_and_saves_nothing() {
    let memory = Memory::default();
    let ask = |subject: &'static str| ("000000002", subject);
    let unknown = application::quote(&memory, &FakeProduct::Premium, ask(SUBJECT), &design(50_000_000)).await;
    assert!(matches!(unknown, Err(QuoteError::UnknownCustomer(_))));
    known_customer(&memory).await;
    let other = application::quote(&memory, &FakeProduct::Premium, ask("auth0|other"), &design(50_000_000)).await;
    assert!(matches!(other, Err(QuoteError::NotYours(_))));
    let quoted = application::quote(&memory, &FakeProduct::Premium, ask(SUBJECT), &design(50_000_000)).await.unwrap();
    assert_eq!(quoted.monthly_premium, Won::new(80_000));
    let refused = application::quote(&memory, &FakeProduct::Refusing, ask(SUBJECT), &design(50_000_000)).await;
    assert!(matches!(refused, Err(QuoteError::Refused(r)) if r[0].contains("entry age")));
    let down = application::quote(&memory, &FakeProduct::Down, ask(SUBJECT), &design(50_000_000)).await;
    assert!(matches!(down, Err(QuoteError::ProductUnavailable(_))));
    assert!(memory.plans.lock().unwrap().is_empty() && memory.outbox.lock().unwrap().is_empty(), "nothing saved");
}

#[tokio::test]
async fn saving_needs_product_and_a_key_replays_the_first_answer() {
    let memory = Memory::default();
    known_customer(&memory).await;
    let down = application::save(&memory, &memory, &FakeProduct::Down, &command(Some("k-1")), answer).await;
    assert!(matches!(down, Err(QuoteError::ProductUnavailable(_))));
    assert!(memory.plans.lock().unwrap().is_empty(), "nothing saved while product is down");
    let Saved::New(plan) =
        application::save(&memory, &memory, &FakeProduct::Premium, &command(Some("k-1")), answer).await.unwrap()
    else {
        panic!("new")
    };
    assert_eq!((plan.status, plan.version, plan.monthly_premium), (PlanStatus::Designed, 1, Won::new(80_000)));
    let again =
        application::save(&memory, &memory, &FakeProduct::Premium, &command(Some("k-1")), answer).await.unwrap();
    assert!(matches!(again, Saved::Replayed(r) if r.response == plan.plan_no.to_string()));
    assert_eq!(memory.plans.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn the_description_of_the_current_version_only_and_a_change_starts_over() {
    let memory = Memory::default();
    known_customer(&memory).await;
    let Saved::New(plan) =
        application::save(&memory, &memory, &FakeProduct::Premium, &command(None), answer).await.unwrap()
    else {
        panic!("new")
    };
    let no = plan.plan_no.clone();
    let requested = application::request_description(&memory, &no, SUBJECT).await.unwrap();
    assert_eq!(requested.status, PlanStatus::DescriptionRequested);
    assert!(matches!(memory.outbox.lock().unwrap().last(), Some(PlanEvent::DescriptionRequested(p)) if p.version == 1));
    assert!(matches!(application::request_description(&memory, &no, "auth0|other").await, Err(PlanError::NotFound(_))));
    let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    assert_eq!(
        application::description_issued(&memory, &no, (2, day), &event("d-0")).await.unwrap(),
        Followed::Nothing,
        "another version's"
    );
    assert_eq!(
        application::description_issued(&memory, &no, (1, day), &event("d-1")).await.unwrap(),
        Followed::Changed
    );
    assert_eq!(
        application::description_issued(&memory, &no, (1, day), &event("d-1")).await.unwrap(),
        Followed::Nothing,
        "a repeat"
    );
    assert!(matches!(application::request_description(&memory, &no, SUBJECT).await, Err(PlanError::AlreadyIssued(_))));
    let changed = application::change(&memory, &FakeProduct::Premium, (&no, SUBJECT), "000000002", &design(60_000_000))
        .await
        .unwrap();
    assert_eq!((changed.status, changed.version, changed.monthly_premium), (PlanStatus::Designed, 2, Won::new(96_000)));
    let other =
        application::change(&memory, &FakeProduct::Premium, (&no, SUBJECT), "000000003", &design(60_000_000)).await;
    assert!(matches!(other, Err(QuoteError::OtherCustomer)));
    assert_eq!(
        application::request_description(&memory, &no, SUBJECT).await.unwrap().status,
        PlanStatus::DescriptionRequested
    );
}
