//! The use cases and the points policy against in-memory fakes of the ports: fast, no
//! emulator. Each error is also mapped to the status the API answers with.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use contracts::order::{OrderCancelled, OrderCompleted, OrderEvent, OrderPlaced};
use customer::application::{GetCustomerError, RegisterCustomerError, get_customer, register_customer};
use customer::domain::{
    Customer, CustomerEvent, CustomerId, CustomerName, Earning, Email, HeldOrderPoints, HeldPoints, OrderId,
    OrderPoints, PointsAccount, PointsRate, PointsReason, Registration,
};
use customer::policies::{EarnPointsError, earn_points};
use customer::ports::{CustomerLookup, CustomerRegistry, PointsLedger, RegisterError};
use platform::auth::Caller;
use platform::dynamo::WriteError;
use platform::http::ApiError;
use platform::inbox::Applied;
use platform::{EventEnvelope, Won};

/// Customers and the events stored with them, refusing a taken id or email as the table does.
#[derive(Default)]
struct FakeRegistry {
    customers: Mutex<Vec<(Customer, Vec<CustomerEvent>)>>,
}

impl CustomerRegistry for FakeRegistry {
    async fn held(&self, _id: &CustomerId) -> anyhow::Result<HeldPoints> {
        Ok(HeldPoints::none())
    }

    async fn register(
        &self,
        customer: &Customer,
        _held: &HeldPoints,
        events: &[CustomerEvent],
    ) -> Result<(), RegisterError> {
        let mut customers = self.customers.lock().unwrap();
        if customers.iter().any(|(c, _)| c.id == customer.id) {
            return Err(RegisterError::AlreadyRegistered);
        }
        if customers.iter().any(|(c, _)| c.email == customer.email) {
            return Err(RegisterError::EmailTaken);
        }
        customers.push((customer.clone(), events.to_vec()));
        Ok(())
    }
}

impl CustomerLookup for FakeRegistry {
    async fn find(&self, id: &CustomerId) -> anyhow::Result<Option<Customer>> {
        Ok(self.customers.lock().unwrap().iter().find(|(c, _)| &c.id == id).map(|(c, _)| c.clone()))
    }
}

fn caller(subject: &str, groups: &[&str]) -> Caller {
    Caller { subject: subject.to_owned(), groups: groups.iter().map(|g| (*g).to_owned()).collect() }
}

fn registration(email: &str) -> Registration {
    Registration { name: CustomerName::parse("Kim").unwrap(), email: Email::parse(email).unwrap(), phone: None }
}

fn status(err: impl Into<ApiError>) -> u16 {
    err.into().status().as_u16()
}

#[tokio::test]
async fn registering_stores_the_caller_with_the_welcome_points_and_their_event() {
    let registry = FakeRegistry::default();
    let kim = caller("01a1fcae-3de8-72e8-9d91-af9e4b458b9a", &[]);
    let customer = register_customer(&registry, 1000, &kim, None, registration("kim@example.com")).await.unwrap();
    assert_eq!((customer.id.as_str(), customer.points), ("01a1fcae-3de8-72e8-9d91-af9e4b458b9a", 1000));
    let stored = registry.customers.lock().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].1,
        [CustomerEvent::Registered {
            customer_id: customer.id.clone(),
            name: CustomerName::parse("Kim").unwrap(),
            email: Email::parse("kim@example.com").unwrap(),
            welcome_points: 1000,
        }]
    );
}

#[tokio::test]
async fn any_issuers_opaque_subject_registers() {
    let registry = FakeRegistry::default();
    for (sub, email) in [("auth0|abc123", "a@example.com"), ("108234567890123456789", "g@example.com")] {
        let claimed = Some(CustomerId::parse(sub).unwrap());
        let customer = register_customer(&registry, 5, &caller(sub, &[]), claimed, registration(email)).await.unwrap();
        assert_eq!(customer.id.as_str(), sub);
    }
    let too_long = caller(&"x".repeat(256), &[]);
    let err = register_customer(&registry, 5, &too_long, None, registration("x@example.com")).await.unwrap_err();
    assert!(matches!(err, RegisterCustomerError::NotACustomerId), "{err:?}");
    assert_eq!(status(err), 403);
    assert_eq!(registry.customers.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_taken_email_or_a_second_registration_is_a_conflict() {
    let registry = FakeRegistry::default();
    register_customer(&registry, 1000, &caller("auth0|kim", &[]), None, registration("kim@example.com")).await.unwrap();
    let err = register_customer(&registry, 1000, &caller("auth0|lee", &[]), None, registration("KIM@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, RegisterCustomerError::EmailTaken), "{err:?}");
    assert_eq!(status(err), 409);
    let err = register_customer(&registry, 1000, &caller("auth0|kim", &[]), None, registration("kim2@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, RegisterCustomerError::AlreadyRegistered), "{err:?}");
    assert_eq!(status(err), 409);
    assert_eq!(registry.customers.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_customer_id_in_the_request_must_be_the_callers_own() {
    let registry = FakeRegistry::default();
    let kim = caller("auth0|kim", &[]);
    let another = Some(CustomerId::parse("auth0|lee").unwrap());
    let err = register_customer(&registry, 1000, &kim, another, registration("kim@example.com")).await.unwrap_err();
    assert!(matches!(err, RegisterCustomerError::AnotherCustomer), "{err:?}");
    assert_eq!(status(err), 403);
    assert!(registry.customers.lock().unwrap().is_empty(), "nothing was stored");

    let own = Some(CustomerId::parse("auth0|kim").unwrap());
    assert!(register_customer(&registry, 1000, &kim, own, registration("kim@example.com")).await.is_ok());
}

#[tokio::test]
async fn a_profile_is_shown_to_its_customer_and_owners_only() {
    let registry = FakeRegistry::default();
    register_customer(&registry, 1000, &caller("auth0|kim", &[]), None, registration("kim@example.com")).await.unwrap();
    let kim = CustomerId::parse("auth0|kim").unwrap();
    assert_eq!(get_customer(&registry, &caller("auth0|kim", &[]), &kim).await.unwrap().points, 1000);
    assert_eq!(get_customer(&registry, &caller("auth0|boss", &["owner"]), &kim).await.unwrap().id, kim);
    let err = get_customer(&registry, &caller("auth0|lee", &["barista"]), &kim).await.unwrap_err();
    assert!(matches!(&err, GetCustomerError::NotFound(id) if id == "auth0|kim"), "{err:?}");
    assert_eq!(status(err), 404);
    let nobody = CustomerId::parse("auth0|nobody").unwrap();
    assert_eq!(status(get_customer(&registry, &caller("auth0|nobody", &[]), &nobody).await.unwrap_err()), 404);
}

/// A ledger in memory that keeps the table's promises: versions and entries are
/// conditional, each cause is applied once; `conflicts` makes the next saves lose a race.
#[derive(Default)]
struct FakeLedger {
    customers: Mutex<HashMap<CustomerId, Customer>>,
    entries: Mutex<HashMap<(CustomerId, OrderId), Earning>>,
    held: Mutex<HashMap<CustomerId, HeldPoints>>,
    /// `hold_once`s left that find the identity registered meanwhile (a registration won).
    registrations_in_between: Mutex<Vec<Customer>>,
    inbox: Mutex<HashSet<String>>,
    outbox: Mutex<Vec<CustomerEvent>>,
    conflicts: Mutex<usize>,
    saves: Mutex<usize>,
}

impl FakeLedger {
    fn with(customer: Customer) -> Self {
        let ledger = Self::default();
        ledger.customers.lock().unwrap().insert(customer.id.clone(), customer);
        ledger
    }

    fn points(&self, id: &str) -> u64 {
        self.customers.lock().unwrap()[&CustomerId::parse(id).unwrap()].points
    }
}

impl PointsLedger for FakeLedger {
    async fn find(&self, customer: &CustomerId, order: &OrderId) -> anyhow::Result<PointsAccount> {
        let earning = self.entries.lock().unwrap().get(&(customer.clone(), order.clone())).copied();
        let Some(found) = self.customers.lock().unwrap().get(customer).cloned() else {
            let held = self.held.lock().unwrap().get(customer).copied().unwrap_or_default();
            return Ok(PointsAccount::Unregistered(HeldOrderPoints {
                customer_id: customer.clone(),
                held,
                order_id: order.clone(),
                earning,
            }));
        };
        Ok(PointsAccount::Registered(OrderPoints { customer: found, order_id: order.clone(), earning }))
    }

    async fn hold_once(
        &self,
        cause: &EventEnvelope,
        current: &HeldOrderPoints,
        next: &HeldOrderPoints,
    ) -> Result<Applied, WriteError> {
        *self.saves.lock().unwrap() += 1;
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        if let Some(customer) = self.registrations_in_between.lock().unwrap().pop() {
            // The identity registers between this event's read and its write.
            let held = self.held.lock().unwrap().remove(&customer.id).unwrap_or_default();
            let customer = Customer { points: customer.points + held.points, ..customer };
            self.customers.lock().unwrap().insert(customer.id.clone(), customer);
        }
        let key = (next.customer_id.clone(), next.order_id.clone());
        let mut held = self.held.lock().unwrap();
        let mut entries = self.entries.lock().unwrap();
        if self.customers.lock().unwrap().contains_key(&next.customer_id)
            || held.get(&next.customer_id).copied().unwrap_or_default() != current.held
            || entries.get(&key) != current.earning.as_ref()
        {
            return Err(WriteError::Conflict);
        }
        held.insert(next.customer_id.clone(), next.held);
        if let Some(earning) = next.earning {
            entries.insert(key, earning);
        }
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        current: &OrderPoints,
        next: &OrderPoints,
        events: &[CustomerEvent],
    ) -> Result<Applied, WriteError> {
        *self.saves.lock().unwrap() += 1;
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        let mut conflicts = self.conflicts.lock().unwrap();
        if *conflicts > 0 {
            *conflicts -= 1;
            return Err(WriteError::Conflict);
        }
        let key = (next.customer.id.clone(), next.order_id.clone());
        let mut customers = self.customers.lock().unwrap();
        let mut entries = self.entries.lock().unwrap();
        if customers[&next.customer.id].version != current.customer.version
            || entries.get(&key) != current.earning.as_ref()
        {
            return Err(WriteError::Conflict);
        }
        customers.insert(next.customer.id.clone(), next.customer.clone());
        if let Some(earning) = next.earning {
            entries.insert(key, earning);
        }
        self.outbox.lock().unwrap().extend_from_slice(events);
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }
}

/// Registration on the same ledger: the held points are consumed at the version read.
impl CustomerRegistry for FakeLedger {
    async fn held(&self, id: &CustomerId) -> anyhow::Result<HeldPoints> {
        Ok(self.held.lock().unwrap().get(id).copied().unwrap_or_default())
    }

    async fn register(
        &self,
        customer: &Customer,
        held: &HeldPoints,
        events: &[CustomerEvent],
    ) -> Result<(), RegisterError> {
        let mut customers = self.customers.lock().unwrap();
        if customers.contains_key(&customer.id) {
            return Err(RegisterError::AlreadyRegistered);
        }
        let mut stored = self.held.lock().unwrap();
        if stored.get(&customer.id).copied().unwrap_or_default() != *held {
            return Err(RegisterError::HeldPointsChanged);
        }
        stored.remove(&customer.id);
        customers.insert(customer.id.clone(), customer.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}

const KIM: &str = "auth0|kim";
const ORDER: &str = "01a1fcae-4122-72bd-a903-a28266cbd449";

fn kim() -> Customer {
    Customer::register(CustomerId::parse(KIM).unwrap(), registration("kim@example.com"), 1000, chrono::Utc::now()).0
}

fn placed(customer_id: &str, amount: u64) -> EventEnvelope {
    let event = OrderEvent::OrderPlaced(OrderPlaced {
        order_id: ORDER.to_owned(),
        customer_id: customer_id.to_owned(),
        lines: Vec::new(),
        amount: Won::new(amount),
        placed_at: "2026-11-21T05:57:20.802Z".to_owned(),
    });
    EventEnvelope::wrap("order", ORDER, None, &event)
}

fn cancelled() -> EventEnvelope {
    let event = OrderEvent::OrderCancelled(OrderCancelled {
        order_id: ORDER.to_owned(),
        customer_id: KIM.to_owned(),
        amount: Won::new(9000),
        reason: "CustomerRequest".to_owned(),
    });
    EventEnvelope::wrap("order", ORDER, None, &event)
}

fn rate() -> PointsRate {
    PointsRate::percent(10).unwrap()
}

fn changed(delta: i64, balance: u64, reason: PointsReason) -> CustomerEvent {
    CustomerEvent::PointsChanged {
        customer_id: CustomerId::parse(KIM).unwrap(),
        order_id: OrderId::parse(ORDER).unwrap(),
        delta,
        balance,
        reason,
    }
}

#[tokio::test]
async fn a_lost_race_is_read_again_and_applied_once() {
    let ledger = FakeLedger::with(kim());
    *ledger.conflicts.lock().unwrap() = 2;
    let event = placed(KIM, 9000);
    earn_points(&ledger, rate(), event.clone()).await.unwrap();
    assert_eq!(*ledger.saves.lock().unwrap(), 3, "two lost races, then the write");
    earn_points(&ledger, rate(), event).await.unwrap();
    assert_eq!(ledger.points(KIM), 1900);
    assert_eq!(*ledger.outbox.lock().unwrap(), [changed(900, 1900, PointsReason::OrderPlaced)]);

    earn_points(&ledger, rate(), cancelled()).await.unwrap();
    earn_points(&ledger, rate(), cancelled()).await.unwrap();
    assert_eq!(ledger.points(KIM), 1000);
    assert_eq!(
        *ledger.outbox.lock().unwrap(),
        [changed(900, 1900, PointsReason::OrderPlaced), changed(-900, 1000, PointsReason::OrderCancelled)]
    );
}

#[tokio::test]
async fn a_race_lost_every_time_fails_the_message_for_a_later_retry() {
    let ledger = FakeLedger::with(kim());
    *ledger.conflicts.lock().unwrap() = usize::MAX;
    let err = earn_points(&ledger, rate(), placed(KIM, 9000)).await.unwrap_err();
    assert!(matches!(err, EarnPointsError::Storage(WriteError::Conflict)), "{err:?}");
    assert_eq!(*ledger.saves.lock().unwrap(), platform::retry::ATTEMPTS);
    assert_eq!(ledger.points(KIM), 1000);
}

#[tokio::test]
async fn completed_orders_and_garbage_change_nothing() {
    let ledger = FakeLedger::with(kim());
    let completed = EventEnvelope::wrap(
        "order",
        ORDER,
        None,
        &OrderEvent::OrderCompleted(OrderCompleted {
            order_id: ORDER.to_owned(),
            customer_id: KIM.to_owned(),
            amount: Won::new(9000),
        }),
    );
    earn_points(&ledger, rate(), completed).await.unwrap();
    let mut garbage = placed(KIM, 9000);
    garbage.event_type = "OrderWaited".to_owned();
    assert!(matches!(earn_points(&ledger, rate(), garbage).await, Err(EarnPointsError::Undecodable(_))));
    let err = earn_points(&ledger, rate(), placed("two words", 9000)).await.unwrap_err();
    assert!(matches!(err, EarnPointsError::InvalidId { field: "customerId", .. }), "{err:?}");
    assert_eq!(*ledger.saves.lock().unwrap(), 0);
    assert_eq!(ledger.points(KIM), 1000);
}

/// An order event about order `order` of `customer`, for `amount` won.
fn order_event(order: &str, customer: &str, amount: u64, cancel: bool) -> EventEnvelope {
    let event = if cancel {
        OrderEvent::OrderCancelled(OrderCancelled {
            order_id: order.to_owned(),
            customer_id: customer.to_owned(),
            amount: Won::new(amount),
            reason: "CustomerRequest".to_owned(),
        })
    } else {
        OrderEvent::OrderPlaced(OrderPlaced {
            order_id: order.to_owned(),
            customer_id: customer.to_owned(),
            lines: Vec::new(),
            amount: Won::new(amount),
            placed_at: "2026-11-21T05:57:20.802Z".to_owned(),
        })
    };
    EventEnvelope::wrap("order", order, None, &event)
}

#[tokio::test]
async fn points_of_orders_placed_before_registering_are_held_and_join_the_welcome_points() {
    let ledger = FakeLedger::default();
    let kept = order_event("order-1", KIM, 9000, false);
    let cancelled_order = order_event("order-2", KIM, 5000, false);
    let cancel = order_event("order-2", KIM, 5000, true);
    // Every event twice: delivery is at least once.
    for event in [&kept, &kept, &cancelled_order, &cancel, &cancelled_order, &cancel] {
        earn_points(&ledger, rate(), event.clone()).await.unwrap();
    }
    let kim_id = CustomerId::parse(KIM).unwrap();
    assert_eq!(ledger.held.lock().unwrap()[&kim_id], HeldPoints { points: 900, version: 3 });
    assert!(ledger.outbox.lock().unwrap().is_empty(), "nobody to tell yet");

    let customer = register_customer(&ledger, 1000, &caller(KIM, &[]), None, registration("kim@example.com")).await;
    assert_eq!(customer.unwrap().points, 1900, "1000 welcome + 900 held; the cancelled order's 500 are not");
    assert_eq!(ledger.points(KIM), 1900);
    assert!(ledger.held.lock().unwrap().is_empty(), "the held points were consumed");

    // The same events once more after registering: nothing moves.
    for event in [&kept, &cancelled_order, &cancel] {
        earn_points(&ledger, rate(), event.clone()).await.unwrap();
    }
    assert_eq!(ledger.points(KIM), 1900);
    // Cancelling the held order now takes its points back from the balance, once.
    let late_cancel = order_event("order-1", KIM, 9000, true);
    earn_points(&ledger, rate(), late_cancel.clone()).await.unwrap();
    earn_points(&ledger, rate(), late_cancel).await.unwrap();
    assert_eq!(ledger.points(KIM), 1000);
    assert!(
        ledger.outbox.lock().unwrap().contains(&CustomerEvent::PointsChanged {
            customer_id: kim_id,
            order_id: OrderId::parse("order-1").unwrap(),
            delta: -900,
            balance: 1000,
            reason: PointsReason::OrderCancelled,
        }),
        "{:?}",
        ledger.outbox.lock().unwrap()
    );
}

#[tokio::test]
async fn an_order_event_racing_the_registration_is_decided_again_against_the_customer() {
    let ledger = FakeLedger::default();
    ledger.registrations_in_between.lock().unwrap().push(kim());
    earn_points(&ledger, rate(), order_event("order-1", KIM, 9000, false)).await.unwrap();
    assert_eq!(ledger.points(KIM), 1900, "earned by the registered customer, not held");
    assert!(ledger.held.lock().unwrap().is_empty());
    assert_eq!(*ledger.saves.lock().unwrap(), 2, "the held write lost, the customer's won");
}

#[tokio::test]
async fn a_registration_racing_an_order_event_reads_the_held_points_again() {
    /// Registers through `FakeLedger`, but an order's points are held just before the first
    /// write (the order event won the race).
    struct Racing(FakeLedger, Mutex<bool>);
    impl CustomerRegistry for Racing {
        async fn held(&self, id: &CustomerId) -> anyhow::Result<HeldPoints> {
            self.0.held(id).await
        }
        async fn register(
            &self,
            customer: &Customer,
            held: &HeldPoints,
            events: &[CustomerEvent],
        ) -> Result<(), RegisterError> {
            if std::mem::replace(&mut *self.1.lock().unwrap(), false) {
                earn_points(&self.0, rate(), order_event("order-1", KIM, 9000, false)).await.unwrap();
            }
            self.0.register(customer, held, events).await
        }
    }
    let racing = Racing(FakeLedger::default(), Mutex::new(true));
    let customer = register_customer(&racing, 1000, &caller(KIM, &[]), None, registration("kim@example.com")).await;
    assert_eq!(customer.unwrap().points, 1900, "the points held meanwhile were not lost");
    assert!(racing.0.held.lock().unwrap().is_empty());
}
