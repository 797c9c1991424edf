//! The counter's use cases, policies and HTTP mapping against in-memory fakes of its ports:
//! fast, and able to stage what storage rarely shows (a lost race, a duplicate in flight).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use contracts::order::{OrderCancelled, OrderCompleted, OrderEvent, OrderPlaced};
use delivery::application::{
    self, Cancellation, IssueOutcome, MoveDeliveryError, cancel_delivery, issue_waiting_number, move_delivery,
};
use delivery::domain::{
    AlreadyKnown, BusinessDay, CustomerId, Delivery, DeliveryEvent, DeliveryId, DeliveryStatus, MoveError,
    OrderAtCounter, OrderId, Progress, WaitingNumber,
};
use delivery::ports::{ConsumedEvents, Deliveries, DeliveryQueue, OrdersAtCounter, WaitingNumbers};
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};
use platform::{EventEnvelope, Won};

/// Everything the fake stores; each write checks its conditions, then applies all or nothing.
#[derive(Default)]
struct State {
    deliveries: HashMap<DeliveryId, Delivery>,
    orders: HashMap<OrderId, OrderAtCounter>,
    sequences: HashMap<BusinessDay, u64>,
    claims: HashSet<(BusinessDay, WaitingNumber)>,
    inbox: HashSet<String>,
    outbox: Vec<DeliveryEvent>,
    /// Writes left that lose a race before they look (another writer got there first).
    races_to_lose: usize,
    writes: usize,
}

#[derive(Default)]
struct FakeCounter(Mutex<State>);

impl FakeCounter {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap()
    }

    fn lose_races(&self, n: usize) {
        self.state().races_to_lose = n;
    }

    /// The write protocol of the real adapter: a repeat of `once` is `AlreadyDone`, a failed
    /// condition a `Conflict`, and otherwise `apply` runs with the inbox item recorded.
    fn write(
        &self,
        once: Option<&EventEnvelope>,
        holds: impl FnOnce(&State) -> bool,
        apply: impl FnOnce(&mut State),
    ) -> Result<Applied, WriteError> {
        let mut state = self.state();
        if let Some(event) = once
            && state.inbox.contains(&event.id)
        {
            return Ok(Applied::AlreadyDone);
        }
        if state.races_to_lose > 0 {
            state.races_to_lose -= 1;
            return Err(WriteError::Conflict);
        }
        if !holds(&state) {
            return Err(WriteError::Conflict);
        }
        apply(&mut state);
        if let Some(event) = once {
            state.inbox.insert(event.id.clone());
        }
        state.writes += 1;
        Ok(Applied::Now)
    }
}

impl DeliveryQueue for FakeCounter {
    async fn in_status(&self, status: DeliveryStatus, page: &PageRequest) -> Result<Page<Delivery>, PageError> {
        let mut found: Vec<Delivery> =
            self.state().deliveries.values().filter(|d| d.status() == status).cloned().collect();
        found.sort_by_key(|d| (d.created_at(), d.id().clone()));
        Page::of_list(found, &status.to_string(), page)
    }
}

impl Deliveries for FakeCounter {
    async fn find(&self, id: &DeliveryId) -> anyhow::Result<Option<Delivery>> {
        Ok(self.state().deliveries.get(id).cloned())
    }

    async fn save(
        &self,
        delivery: &Delivery,
        expected_version: u64,
        events: &[DeliveryEvent],
        once: Option<&EventEnvelope>,
    ) -> Result<Applied, WriteError> {
        self.write(
            once,
            |state| state.deliveries.get(delivery.id()).map(Delivery::version) == Some(expected_version),
            |state| {
                state.deliveries.insert(delivery.id().clone(), delivery.clone());
                state.outbox.extend_from_slice(events);
            },
        )
    }
}

impl OrdersAtCounter for FakeCounter {
    async fn find_order(&self, order: &OrderId) -> anyhow::Result<Option<OrderAtCounter>> {
        Ok(self.state().orders.get(order).cloned())
    }

    async fn issue(
        &self,
        delivery: &Delivery,
        events: &[DeliveryEvent],
        once: &EventEnvelope,
    ) -> Result<Applied, WriteError> {
        let claim = (delivery.business_day(), delivery.waiting_number());
        self.write(
            Some(once),
            |state| {
                !state.deliveries.contains_key(delivery.id())
                    && !state.orders.contains_key(delivery.order_id())
                    && !state.claims.contains(&claim)
            },
            |state| {
                state.deliveries.insert(delivery.id().clone(), delivery.clone());
                state.orders.insert(delivery.order_id().clone(), OrderAtCounter::Issued(delivery.id().clone()));
                state.claims.insert(claim);
                state.outbox.extend_from_slice(events);
            },
        )
    }

    async fn cancel_before_issue(
        &self,
        order: &OrderId,
        events: &[DeliveryEvent],
        once: Option<&EventEnvelope>,
    ) -> Result<Applied, WriteError> {
        self.write(
            once,
            |state| !state.orders.contains_key(order),
            |state| {
                state.orders.insert(order.clone(), OrderAtCounter::CancelledBeforeIssue);
                state.outbox.extend_from_slice(events);
            },
        )
    }
}

impl WaitingNumbers for FakeCounter {
    async fn next_number(&self, day: BusinessDay) -> anyhow::Result<WaitingNumber> {
        let mut state = self.state();
        let last = state.sequences.entry(day).or_default();
        *last += 1;
        Ok(WaitingNumber::nth(*last)?)
    }
}

impl ConsumedEvents for FakeCounter {
    async fn acknowledge(&self, event: &EventEnvelope) -> Result<Applied, WriteError> {
        self.write(Some(event), |_| true, |_| {})
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn order(n: u32) -> OrderId {
    OrderId::parse(&format!("order-{n}")).unwrap()
}

fn customer() -> CustomerId {
    CustomerId::parse("google-oauth2|108234567890").unwrap()
}

fn placed(order: &OrderId) -> EventEnvelope {
    EventEnvelope::wrap(
        "order",
        order.as_str(),
        None,
        &OrderEvent::OrderPlaced(OrderPlaced {
            order_id: order.to_string(),
            customer_id: customer().to_string(),
            lines: Vec::new(),
            amount: Won::new(4500),
            placed_at: "2026-11-21T05:00:00.000Z".to_owned(),
        }),
    )
}

fn cancelled(order: &OrderId) -> EventEnvelope {
    EventEnvelope::wrap(
        "order",
        order.as_str(),
        None,
        &OrderEvent::OrderCancelled(OrderCancelled {
            order_id: order.to_string(),
            customer_id: customer().to_string(),
            amount: Won::new(4500),
            reason: "CustomerRequest".to_owned(),
        }),
    )
}

/// Issues the delivery of order `n` from a fresh `OrderPlaced` at `now`.
async fn issue(counter: &FakeCounter, n: u32, now: DateTime<Utc>) -> IssueOutcome {
    issue_waiting_number(counter, &order(n), &customer(), &seoul(), &placed(&order(n)), now).await.unwrap()
}

fn issued(outcome: IssueOutcome) -> Delivery {
    match outcome {
        IssueOutcome::Issued(delivery) => delivery,
        other => panic!("expected a delivery, got {other:?}"),
    }
}

#[tokio::test]
async fn waiting_numbers_start_again_at_the_shops_midnight() {
    let counter = FakeCounter::default();
    let numbers_at = |deliveries: &[Delivery]| -> Vec<(String, u32)> {
        deliveries.iter().map(|d| (d.business_day().to_string(), d.waiting_number().get())).collect()
    };
    let mut deliveries = Vec::new();
    // 23:59:58 and 23:59:59 on the 21st in Seoul, then 00:00:00 and 00:00:01 on the 22nd.
    for (n, now) in [
        (1, "2026-11-21T14:59:58Z"),
        (2, "2026-11-21T14:59:59Z"),
        (3, "2026-11-21T15:00:00Z"),
        (4, "2026-11-21T15:00:01Z"),
    ] {
        deliveries.push(issued(issue(&counter, n, at(now)).await));
    }
    assert_eq!(
        numbers_at(&deliveries),
        [("2026-11-21".into(), 1), ("2026-11-21".into(), 2), ("2026-11-22".into(), 1), ("2026-11-22".into(), 2)]
    );
    let waited: Vec<u32> = counter
        .state()
        .outbox
        .iter()
        .map(|e| match e {
            DeliveryEvent::Issued { waiting_number, .. } => waiting_number.get(),
            other => panic!("only OrderWaited leaves: {other:?}"),
        })
        .collect();
    assert_eq!(waited, [1, 2, 1, 2]);
}

#[tokio::test]
async fn a_repeated_order_placed_issues_nothing_and_takes_no_number() {
    let counter = FakeCounter::default();
    let now = at("2026-11-21T05:00:00Z");
    let event = placed(&order(1));
    let first = issued(issue_waiting_number(&counter, &order(1), &customer(), &seoul(), &event, now).await.unwrap());

    // The very same event again, and a late second OrderPlaced of the same order.
    let again = issue_waiting_number(&counter, &order(1), &customer(), &seoul(), &event, now).await.unwrap();
    assert_eq!(again, IssueOutcome::AlreadyKnown(AlreadyKnown::Issued(first.id().clone())));
    let late = issue(&counter, 1, now).await;
    assert_eq!(late, IssueOutcome::AlreadyKnown(AlreadyKnown::Issued(first.id().clone())));

    let state = counter.state();
    assert_eq!(state.deliveries.len(), 1);
    assert_eq!(state.outbox.len(), 1, "OrderWaited leaves once");
    assert_eq!(state.sequences[&first.business_day()], 1, "no number was taken by the repeats");
    assert_eq!(state.inbox.len(), 2, "both events are in the inbox, so their repeats are recognised");
}

#[tokio::test]
async fn an_order_cancelled_before_it_reached_the_counter_never_gets_a_delivery() {
    let counter = FakeCounter::default();
    let now = at("2026-11-21T05:00:00Z");
    assert_eq!(cancel_delivery(&counter, &order(1), &customer(), None, now).await.unwrap(), Cancellation::Cancelled);
    assert_eq!(counter.state().orders[&order(1)], OrderAtCounter::CancelledBeforeIssue);
    assert_eq!(
        counter.state().outbox,
        [DeliveryEvent::CancelledBeforeIssue { order_id: order(1), customer_id: customer() }],
        "the order context learns of it even if its call timed out"
    );
    counter.state().outbox.clear();

    assert_eq!(issue(&counter, 1, now).await, IssueOutcome::AlreadyKnown(AlreadyKnown::CancelledBeforeIssue));
    let state = counter.state();
    assert!(state.deliveries.is_empty() && state.outbox.is_empty());
    assert!(state.sequences.is_empty(), "no number was taken");
}

#[tokio::test]
async fn a_lost_race_is_retried_and_its_number_skipped_never_repeated() {
    let counter = FakeCounter::default();
    let now = at("2026-11-21T05:00:00Z");
    counter.lose_races(1);
    let first = issued(issue(&counter, 1, now).await);
    let second = issued(issue(&counter, 2, now).await);
    assert_eq!((first.waiting_number().get(), second.waiting_number().get()), (2, 3), "number 1 was skipped");
    assert_eq!(counter.state().outbox.len(), 2);

    // A race lost every time fails the event (SQS retries it) and writes nothing.
    counter.lose_races(usize::MAX);
    let err = issue_waiting_number(&counter, &order(3), &customer(), &seoul(), &placed(&order(3)), now).await;
    assert!(matches!(err, Err(application::IssueWaitingNumberError::Contended)), "{err:?}");
    assert_eq!(counter.state().deliveries.len(), 2);
}

#[tokio::test]
async fn the_barista_moves_a_delivery_forward_only_and_each_move_leaves_once() {
    let counter = FakeCounter::default();
    let now = at("2026-11-21T05:00:00Z");
    let delivery = issued(issue(&counter, 1, now).await);
    let id = delivery.id().clone();
    counter.state().outbox.clear();

    let preparing = move_delivery(&counter, &id, Progress::Preparing, now).await.unwrap();
    assert_eq!((preparing.status(), preparing.version()), (DeliveryStatus::Preparing, 2));
    let again = move_delivery(&counter, &id, Progress::Preparing, now).await.unwrap();
    assert_eq!(again, preparing, "the same move again changes nothing");
    let completed = move_delivery(&counter, &id, Progress::Completed, now).await.unwrap();
    assert_eq!(completed.status(), DeliveryStatus::Completed);
    assert!(matches!(
        counter.state().outbox.as_slice(),
        [DeliveryEvent::Started { .. }, DeliveryEvent::Completed { waiting_number, .. }] if waiting_number.get() == 1
    ));

    let back = move_delivery(&counter, &id, Progress::Preparing, now).await;
    assert!(matches!(back, Err(MoveDeliveryError::Refused(MoveError::Backwards { .. }))), "{back:?}");
    assert_eq!(counter.state().deliveries[&id].status(), DeliveryStatus::Completed, "nothing moved back");
    assert_eq!(counter.state().outbox.len(), 2);

    let unknown = move_delivery(&counter, &DeliveryId::generate(), Progress::Completed, now).await;
    assert!(matches!(unknown, Err(MoveDeliveryError::NotFound(_))), "{unknown:?}");
}

#[tokio::test]
async fn a_move_that_loses_a_race_reads_again_and_one_that_keeps_losing_is_a_conflict() {
    let counter = FakeCounter::default();
    let now = at("2026-11-21T05:00:00Z");
    let id = issued(issue(&counter, 1, now).await).id().clone();
    counter.lose_races(2);
    assert_eq!(
        move_delivery(&counter, &id, Progress::Preparing, now).await.unwrap().status(),
        DeliveryStatus::Preparing
    );
    counter.lose_races(usize::MAX);
    let lost = move_delivery(&counter, &id, Progress::Completed, now).await;
    assert!(matches!(lost, Err(MoveDeliveryError::Contended)), "{lost:?}");
    let problem = platform::http::ApiError::from(lost.unwrap_err());
    assert_eq!(problem.status(), 409);
}

#[tokio::test]
async fn cancelling_answers_cancelled_until_the_barista_starts() {
    let counter = FakeCounter::default();
    let now = at("2026-11-21T05:00:00Z");
    let waiting = issued(issue(&counter, 1, now).await);
    let started = issued(issue(&counter, 2, now).await);
    move_delivery(&counter, started.id(), Progress::Preparing, now).await.unwrap();
    counter.state().outbox.clear();

    assert_eq!(cancel_delivery(&counter, &order(1), &customer(), None, now).await.unwrap(), Cancellation::Cancelled);
    assert_eq!(counter.state().deliveries[waiting.id()].status(), DeliveryStatus::Cancelled);
    assert_eq!(
        cancel_delivery(&counter, &order(1), &customer(), None, now).await.unwrap(),
        Cancellation::Cancelled,
        "again"
    );
    assert_eq!(
        cancel_delivery(&counter, &order(2), &customer(), None, now).await.unwrap(),
        Cancellation::AlreadyStarted
    );
    assert_eq!(counter.state().deliveries[started.id()].status(), DeliveryStatus::Preparing, "still being made");
    let cancelled_events: Vec<_> = counter.state().outbox.clone();
    assert_eq!(
        cancelled_events,
        [DeliveryEvent::Cancelled { delivery_id: waiting.id().clone(), order_id: order(1), customer_id: customer() }],
        "only the waiting delivery was cancelled, once"
    );
    assert_eq!(
        move_delivery(&counter, waiting.id(), Progress::Preparing, now).await.unwrap_err().to_string(),
        "the delivery was cancelled"
    );
}

#[tokio::test]
async fn the_order_event_policies_apply_each_event_once_and_ignore_order_completed() {
    let counter = FakeCounter::default();
    let first = order(1);
    let placed_event = placed(&first);
    for _ in 0..3 {
        delivery::policies::on_order_event(&counter, &seoul(), placed_event.clone()).await.unwrap();
    }
    let cancelled_event = cancelled(&first);
    for _ in 0..2 {
        delivery::policies::on_order_event(&counter, &seoul(), cancelled_event.clone()).await.unwrap();
    }
    let completed = EventEnvelope::wrap(
        "order",
        "order-9",
        None,
        &OrderEvent::OrderCompleted(OrderCompleted {
            order_id: "order-9".into(),
            customer_id: customer().to_string(),
            amount: Won::new(1),
        }),
    );
    delivery::policies::on_order_event(&counter, &seoul(), completed).await.unwrap();
    {
        let state = counter.state();
        assert_eq!(state.deliveries.len(), 1);
        let only = state.deliveries.values().next().unwrap();
        assert_eq!((only.status(), only.version()), (DeliveryStatus::Cancelled, 2));
        assert_eq!(
            state.outbox.len(),
            1,
            "one OrderWaited; a cancel caused by OrderCancelled publishes nothing (no echo): {:?}",
            state.outbox
        );
        assert_eq!(state.inbox, HashSet::from([placed_event.id.clone(), cancelled_event.id.clone()]));
    }

    // Not an order event, or an order event with a malformed id: the message fails (and is retried).
    let mut foreign = placed(&order(2));
    foreign.event_type = "CustomerRegistered".into();
    assert!(delivery::policies::on_order_event(&counter, &seoul(), foreign).await.is_err());
    let mut blank = placed(&order(3));
    blank.data["customerId"] = "".into();
    assert!(delivery::policies::on_order_event(&counter, &seoul(), blank).await.is_err());
    assert_eq!(counter.state().deliveries.len(), 1, "neither changed anything");
}

#[tokio::test]
async fn the_queue_lists_one_status_oldest_first() {
    let counter = FakeCounter::default();
    for (n, now) in [(1, "2026-11-21T05:00:02Z"), (2, "2026-11-21T05:00:01Z"), (3, "2026-11-21T05:00:03Z")] {
        issue(&counter, n, at(now)).await;
    }
    let started = counter.state().orders[&order(3)].clone();
    let OrderAtCounter::Issued(started) = started else { panic!("issued") };
    move_delivery(&counter, &started, Progress::Preparing, at("2026-11-21T05:01:00Z")).await.unwrap();
    let waiting = application::list_queue(&counter, DeliveryStatus::Waiting, &PageRequest::first(100)).await.unwrap();
    let orders: Vec<&str> = waiting.items.iter().map(|d| d.order_id().as_str()).collect();
    assert_eq!(orders, ["order-2", "order-1"]);
    assert!(waiting.next.is_none());
    let preparing = application::list_queue(&counter, DeliveryStatus::Preparing, &PageRequest::first(100)).await;
    assert_eq!(preparing.unwrap().items.len(), 1);
}

fn seoul() -> platform::zone::Zone {
    platform::zone::Zone::named("Asia/Seoul").unwrap()
}
