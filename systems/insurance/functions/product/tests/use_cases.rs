//! Product's use cases against an in-memory fake of its port: register (409 for a taken code,
//! 422 for nonsense conditions, nothing written), change (404, 422, sales stopped and resumed),
//! get and list (stopped products are not listed; pages), the quote (the premium, every
//! underwriting condition named, an unknown product) and the description issued once per plan
//! version, whatever the duplicates.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};
use product::application::{self, Issued, ProductError, Quote};
use product::domain::{
    Conditions, InvalidConditions, Product, ProductChange, ProductCode, ProductDescription, ProductEvent,
    ProductStatus, QuoteAsk, Refusal,
};
use product::ports::Products;

#[derive(Default)]
struct Memory {
    products: Mutex<BTreeMap<ProductCode, Product>>,
    descriptions: Mutex<HashMap<(String, u64), ProductDescription>>,
    outbox: Mutex<Vec<ProductEvent>>,
    inbox: Mutex<HashSet<String>>,
    /// Writes that lose to another writer before succeeding (for the retry).
    lose: Mutex<u32>,
}

impl Products for Memory {
    async fn find(&self, code: &ProductCode) -> anyhow::Result<Option<Product>> {
        Ok(self.products.lock().unwrap().get(code).cloned())
    }

    async fn on_sale(&self, page: &PageRequest) -> Result<Page<Product>, PageError> {
        let all: Vec<Product> =
            self.products.lock().unwrap().values().filter(|p| p.status == ProductStatus::OnSale).cloned().collect();
        Page::of_list(all, "products", page)
    }

    async fn register(&self, product: &Product) -> Result<(), WriteError> {
        let mut products = self.products.lock().unwrap();
        if products.contains_key(&product.code) {
            return Err(WriteError::Conflict);
        }
        products.insert(product.code.clone(), product.clone());
        Ok(())
    }

    async fn save(&self, product: &Product, expected_version: u64) -> Result<(), WriteError> {
        {
            let mut lose = self.lose.lock().unwrap();
            if *lose > 0 {
                *lose -= 1;
                return Err(WriteError::Conflict);
            }
        }
        let mut products = self.products.lock().unwrap();
        match products.get(&product.code) {
            Some(stored) if stored.version == expected_version => {
                products.insert(product.code.clone(), product.clone());
                Ok(())
            }
            _ => Err(WriteError::Conflict),
        }
    }

    async fn issue_once(
        &self,
        cause: &EventEnvelope,
        description: &ProductDescription,
        events: &[ProductEvent],
    ) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        let key = (description.plan_no.clone(), description.plan_version);
        let mut descriptions = self.descriptions.lock().unwrap();
        if descriptions.contains_key(&key) {
            return Err(WriteError::Conflict);
        }
        descriptions.insert(key, description.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }
}

fn code(n: u8) -> ProductCode {
    ProductCode::parse(&format!("P0000000{n}")).unwrap()
}

/// The scenario's conditions: ages 15-60, 100,000,000 won, 1,600 won per million.
fn conditions() -> Conditions {
    Conditions {
        min_entry_age: 15,
        max_entry_age: 60,
        max_sum_insured: Won::new(100_000_000),
        premium_per_million: Won::new(1_600),
    }
}

fn ask(age: u32, sum: u64, insured: u32, paid: u32) -> QuoteAsk {
    QuoteAsk { age, sum_insured: Won::new(sum), insurance_period_years: insured, payment_period_years: paid }
}

async fn registered(memory: &Memory, n: u8) -> Product {
    application::register(memory, code(n), "(무)재해사망보장".into(), conditions()).await.unwrap()
}

fn requested(id: &str, plan_no: &str, version: u64, product: &str) -> EventEnvelope {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "ProductDescriptionRequested", "version": 1, "source": "plan",
        "correlationId": plan_no, "causationId": null, "occurredAt": "2026-11-22T01:00:02.100Z",
        "data": {
            "planNo": plan_no, "version": version, "customerNo": "000000002", "productCode": product,
            "terms": { "insurancePeriodYears": 20, "paymentPeriodYears": 20, "paymentCycle": "Monthly" },
            "sumInsured": 50_000_000, "monthlyPremium": 80_000
        }
    }))
    .unwrap()
}

#[tokio::test]
async fn registering_puts_the_product_on_sale_and_a_taken_code_or_nonsense_is_refused_unwritten() {
    let memory = Memory::default();
    let product = registered(&memory, 5).await;
    assert_eq!((product.status, product.version), (ProductStatus::OnSale, 1));
    assert_eq!(application::get(&memory, &code(5)).await.unwrap(), product);

    let again = application::register(&memory, code(5), "other".into(), conditions()).await;
    assert!(matches!(again, Err(ProductError::Exists(c)) if c == code(5)), "409");
    assert_eq!(application::get(&memory, &code(5)).await.unwrap().name, "(무)재해사망보장", "the first one kept");

    let cases = [
        (Conditions { min_entry_age: 61, ..conditions() }, InvalidConditions::Ages),
        (Conditions { max_entry_age: 151, ..conditions() }, InvalidConditions::Ages),
        (Conditions { max_sum_insured: Won::new(999_999), ..conditions() }, InvalidConditions::Limit),
        (Conditions { premium_per_million: Won::ZERO, ..conditions() }, InvalidConditions::Price),
    ];
    for (bad, why) in cases {
        let refused = application::register(&memory, code(6), "x".into(), bad).await;
        assert!(matches!(&refused, Err(ProductError::Invalid(w)) if *w == why), "422 {why}: {refused:?}");
    }
    assert!(memory.find(&code(6)).await.unwrap().is_none(), "nothing written");
    assert!(matches!(application::get(&memory, &code(7)).await, Err(ProductError::NotFound(c)) if c == code(7)));
}

#[tokio::test]
async fn a_change_keeps_what_is_not_given_stops_and_resumes_sales_and_refuses_unknown_or_nonsense() {
    let memory = Memory::default();
    registered(&memory, 5).await;
    let price = ProductChange { premium_per_million: Some(Won::new(2_000)), ..Default::default() };
    let changed = application::change(&memory, &code(5), &price).await.unwrap();
    assert_eq!((changed.version, changed.conditions.min_entry_age, changed.name.as_str()), (2, 15, "(무)재해사망보장"));
    assert_eq!(memory.find(&code(5)).await.unwrap().unwrap(), changed, "stored");

    let stop = ProductChange { status: Some(ProductStatus::Stopped), ..Default::default() };
    assert_eq!(application::change(&memory, &code(5), &stop).await.unwrap().status, ProductStatus::Stopped);
    let resume = ProductChange { status: Some(ProductStatus::OnSale), ..Default::default() };
    let resumed = application::change(&memory, &code(5), &resume).await.unwrap();
    assert_eq!((resumed.status, resumed.version), (ProductStatus::OnSale, 4));

    let bad = ProductChange { max_entry_age: Some(14), ..Default::default() };
    assert!(matches!(
        application::change(&memory, &code(5), &bad).await,
        Err(ProductError::Invalid(InvalidConditions::Ages))
    ));
    assert_eq!(memory.find(&code(5)).await.unwrap().unwrap().version, 4, "nothing written");
    assert!(matches!(application::change(&memory, &code(9), &price).await, Err(ProductError::NotFound(_))));
}

#[tokio::test]
async fn a_change_that_loses_to_another_writer_is_retried_and_one_that_keeps_losing_is_contended() {
    let memory = Memory::default();
    registered(&memory, 5).await;
    let name = ProductChange { name: Some("renamed".into()), ..Default::default() };
    *memory.lose.lock().unwrap() = 1;
    let changed = application::change(&memory, &code(5), &name).await.unwrap();
    assert_eq!((changed.name.as_str(), changed.version), ("renamed", 2));

    *memory.lose.lock().unwrap() = u32::try_from(platform::retry::ATTEMPTS).unwrap();
    let contended = application::change(&memory, &code(5), &name).await;
    assert!(matches!(contended, Err(ProductError::Contended)), "409: {contended:?}");
    assert_eq!(*memory.lose.lock().unwrap(), 0, "every attempt was made");
    assert_eq!(memory.find(&code(5)).await.unwrap().unwrap().version, 2);
}

#[tokio::test]
async fn the_list_shows_products_on_sale_only_page_by_page() {
    let memory = Memory::default();
    for n in 1..=5 {
        registered(&memory, n).await;
    }
    let stop = ProductChange { status: Some(ProductStatus::Stopped), ..Default::default() };
    application::change(&memory, &code(3), &stop).await.unwrap();

    let first = application::list(&memory, &PageRequest::first(3)).await.unwrap();
    let codes: Vec<String> = first.items.iter().map(|p| p.code.to_string()).collect();
    assert_eq!(codes, ["P00000001", "P00000002", "P00000004"]);
    let next = application::list(&memory, &PageRequest::after(3, first.next.clone().unwrap())).await.unwrap();
    let codes: Vec<String> = next.items.iter().map(|p| p.code.to_string()).collect();
    assert_eq!((codes, next.next.is_none()), (vec!["P00000005".to_owned()], true));
}

#[tokio::test]
async fn the_quote_gives_the_premium_with_the_name_or_names_every_failing_condition() {
    let memory = Memory::default();
    registered(&memory, 5).await;
    let quoted = application::quote(&memory, &code(5), &ask(41, 50_000_000, 20, 20)).await.unwrap();
    assert_eq!(
        quoted,
        Quote::Quoted { product_name: "(무)재해사망보장".into(), monthly_premium: Won::new(80_000) },
        "50 x 1,600"
    );
    let edges = application::quote(&memory, &code(5), &ask(60, 100_000_000, 100, 100)).await.unwrap();
    assert!(matches!(edges, Quote::Quoted { monthly_premium, .. } if monthly_premium == Won::new(160_000)));
    let youngest = application::quote(&memory, &code(5), &ask(15, 1_000_000, 1, 1)).await.unwrap();
    assert!(matches!(youngest, Quote::Quoted { monthly_premium, .. } if monthly_premium == Won::new(1_600)));

    let refused = |reasons: Vec<Refusal>| Quote::Refused(reasons);
    let cases = [
        (ask(14, 50_000_000, 20, 20), vec![Refusal::EntryAge { age: 14, min: 15, max: 60 }]),
        (ask(61, 50_000_000, 20, 20), vec![Refusal::EntryAge { age: 61, min: 15, max: 60 }]),
        (
            ask(41, 200_000_000, 20, 20),
            vec![Refusal::SumInsuredLimit { sum_insured: Won::new(200_000_000), max: Won::new(100_000_000) }],
        ),
        (ask(41, 1_500_000, 20, 20), vec![Refusal::SumInsuredUnit]),
        (ask(41, 0, 20, 20), vec![Refusal::SumInsuredUnit]),
        (ask(41, 50_000_000, 10, 20), vec![Refusal::PaymentPeriod]),
        (ask(41, 50_000_000, 101, 20), vec![Refusal::Period]),
        (ask(41, 50_000_000, 20, 0), vec![Refusal::Period]),
    ];
    for (asked, reasons) in cases {
        assert_eq!(application::quote(&memory, &code(5), &asked).await.unwrap(), refused(reasons), "{asked:?}");
    }

    let stop = ProductChange { status: Some(ProductStatus::Stopped), ..Default::default() };
    application::change(&memory, &code(5), &stop).await.unwrap();
    assert_eq!(
        application::quote(&memory, &code(5), &ask(41, 50_000_000, 20, 20)).await.unwrap(),
        refused(vec![Refusal::NotOnSale])
    );
    let Quote::Refused(all) = application::quote(&memory, &code(5), &ask(70, 200_000_500, 101, 102)).await.unwrap()
    else {
        panic!("refused")
    };
    assert_eq!(
        all,
        [
            Refusal::EntryAge { age: 70, min: 15, max: 60 },
            Refusal::SumInsuredLimit { sum_insured: Won::new(200_000_500), max: Won::new(100_000_000) },
            Refusal::SumInsuredUnit,
            Refusal::NotOnSale,
            Refusal::PaymentPeriod,
            Refusal::Period,
        ],
        "every condition, in the spec's order"
    );
    let texts: Vec<String> = all.iter().map(ToString::to_string).collect();
    for (text, names) in
        texts.iter().zip(["가입연령", "한도금액", "1000000", "not on sale", "paymentPeriodYears", "1..100"])
    {
        assert!(text.contains(names), "{text} names {names}");
    }
    assert_eq!(
        application::quote(&memory, &code(9), &ask(41, 50_000_000, 20, 20)).await.unwrap(),
        Quote::UnknownProduct
    );
}

#[tokio::test]
async fn the_description_is_issued_once_per_plan_version_whatever_the_duplicates() {
    let memory = Memory::default();
    registered(&memory, 5).await;
    let plan = || ("20261122093015".to_owned(), 1, "000000002".to_owned());
    let first = requested("e-1", "20261122093015", 1, "P00000005");
    assert_eq!(application::issue_description(&memory, &code(5), plan(), &first).await.unwrap(), Issued::Now);
    assert_eq!(application::issue_description(&memory, &code(5), plan(), &first).await.unwrap(), Issued::Already);
    let redelivered = requested("e-2", "20261122093015", 1, "P00000005");
    assert_eq!(
        application::issue_description(&memory, &code(5), plan(), &redelivered).await.unwrap(),
        Issued::Already,
        "another event for the same plan version"
    );
    {
        let outbox = memory.outbox.lock().unwrap();
        let [ProductEvent::DescriptionIssued(issued)] = outbox.as_slice() else { panic!("one event: {outbox:?}") };
        assert_eq!(
            (issued.plan_no.as_str(), issued.plan_version, issued.customer_no.as_str(), issued.product_name.as_str()),
            ("20261122093015", 1, "000000002", "(무)재해사망보장")
        );
        assert_eq!(issued.product_code, code(5));
    }

    // Through the consumer: a new version is a new description; the replay and others change nothing.
    product::policies::issue_description(&memory, requested("e-3", "20261122093015", 2, "P00000005")).await.unwrap();
    product::policies::issue_description(&memory, requested("e-3", "20261122093015", 2, "P00000005")).await.unwrap();
    assert_eq!(memory.outbox.lock().unwrap().len(), 2);
    let versions: HashSet<u64> = memory.descriptions.lock().unwrap().keys().map(|(_, v)| *v).collect();
    assert_eq!(versions, HashSet::from([1, 2]));

    let unknown =
        product::policies::issue_description(&memory, requested("e-4", "20261122093016", 1, "P00000009")).await;
    assert!(unknown.is_err(), "an unknown product is retried, then dead-lettered");
    assert_eq!(memory.outbox.lock().unwrap().len(), 2, "nothing issued for it");
    assert!(matches!(
        application::issue_description(&memory, &code(9), plan(), &requested("e-6", "x", 1, "P00000009")).await,
        Err(ProductError::NotFound(_))
    ));
}
