//! Reservation's use cases against in-memory fakes of storage and payment: no night sold
//! twice, pay through the call (503 leaves it `Reserved`, repeats answer the same payment),
//! cancel before check-in, and the reactions to payment and promotion events, once each.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Days, NaiveDate, Utc};
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;
use reservation::application::{
    self, FirstAnswer, Followed, PlaceError, PlaceReservation, Placed, ReservationError, Viewer,
};
use reservation::domain::{
    Benefit, CustomerId, Nights, PaymentId, Reservation, ReservationEvent, ReservationId, ReservationStatus, RoomCopy,
    RoomId, RoomStatus, today,
};
use reservation::ports::{Pay, Payment, Reservations, Rooms};

#[derive(Default)]
struct Memory {
    rooms: Mutex<HashMap<RoomId, RoomCopy>>,
    reservations: Mutex<HashMap<ReservationId, Reservation>>,
    nights: Mutex<HashMap<(RoomId, NaiveDate), ReservationId>>,
    keys: Mutex<HashMap<String, IdempotencyRecord>>,
    outbox: Mutex<Vec<ReservationEvent>>,
    inbox: Mutex<HashSet<String>>,
}

impl Rooms for Memory {
    async fn find_room(&self, room: &RoomId) -> anyhow::Result<Option<RoomCopy>> {
        Ok(self.rooms.lock().unwrap().get(room).cloned())
    }

    async fn save_room_once(
        &self,
        cause: &EventEnvelope,
        copy: &RoomCopy,
        replaced: Option<u64>,
    ) -> Result<Applied, WriteError> {
        if !self.inbox.lock().unwrap().insert(cause.id.clone()) {
            return Ok(Applied::AlreadyDone);
        }
        let mut rooms = self.rooms.lock().unwrap();
        if rooms.get(&copy.room_id).map(|r| r.version) != replaced {
            return Err(WriteError::Conflict);
        }
        rooms.insert(copy.room_id.clone(), copy.clone());
        Ok(Applied::Now)
    }
}

impl Reservations for Memory {
    async fn find(&self, id: &ReservationId) -> anyhow::Result<Option<Reservation>> {
        Ok(self.reservations.lock().unwrap().get(id).cloned())
    }

    async fn find_idempotency(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> anyhow::Result<Option<IdempotencyRecord>> {
        Ok(self.keys.lock().unwrap().get(&format!("{customer}/{}", key.as_str())).cloned())
    }

    async fn place(
        &self,
        reservation: &Reservation,
        events: &[ReservationEvent],
        answer: Option<(&IdempotencyKey, &IdempotencyRecord)>,
    ) -> Result<(), WriteError> {
        let mut nights = self.nights.lock().unwrap();
        if reservation.stay().iter().any(|d| nights.contains_key(&(reservation.room_id.clone(), *d))) {
            return Err(WriteError::Conflict);
        }
        for d in reservation.stay() {
            nights.insert((reservation.room_id.clone(), d), reservation.id.clone());
        }
        if let Some((key, record)) = answer {
            self.keys.lock().unwrap().insert(format!("{}/{}", reservation.customer_id, key.as_str()), record.clone());
        }
        self.reservations.lock().unwrap().insert(reservation.id.clone(), reservation.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }

    async fn save(
        &self,
        reservation: &Reservation,
        expected_version: u64,
        events: &[ReservationEvent],
    ) -> Result<(), WriteError> {
        let mut all = self.reservations.lock().unwrap();
        if all.get(&reservation.id).map(|r| r.version) != Some(expected_version) {
            return Err(WriteError::Conflict);
        }
        if reservation.status == ReservationStatus::Cancelled {
            let mut nights = self.nights.lock().unwrap();
            for d in reservation.stay() {
                nights.remove(&(reservation.room_id.clone(), d));
            }
        }
        all.insert(reservation.id.clone(), reservation.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        reservation: &Reservation,
        expected_version: u64,
    ) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        self.save(reservation, expected_version, &[]).await?;
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }

    async fn skip_once(&self, cause: &EventEnvelope) -> Result<Applied, WriteError> {
        Ok(if self.inbox.lock().unwrap().insert(cause.id.clone()) { Applied::Now } else { Applied::AlreadyDone })
    }
}

/// Payment as a fake: approves (one payment per reservation), or is unavailable.
#[derive(Default)]
struct FakePay {
    down: std::sync::atomic::AtomicBool,
    calls: AtomicUsize,
    payments: Mutex<HashMap<ReservationId, PaymentId>>,
}

impl Pay for FakePay {
    async fn pay(&self, reservation: &ReservationId, _: (&CustomerId, &str), _: Won) -> Result<Payment, InvokeError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(InvokeError::Timeout { function: "pay".into(), timeout_ms: 610 });
        }
        let mut payments = self.payments.lock().unwrap();
        let n = payments.len();
        Ok(Payment::Approved(
            payments.entry(reservation.clone()).or_insert_with(|| PaymentId::parse(&format!("p-{n}")).unwrap()).clone(),
        ))
    }
}

fn idempotency_key(k: &str) -> IdempotencyKey {
    let mut request = lambda_http::Request::default();
    request.headers_mut().insert(platform::idempotency::HEADER, k.parse().unwrap());
    platform::idempotency::key(&request).unwrap()
}

fn a() -> CustomerId {
    CustomerId::parse("auth0|a").unwrap()
}

fn day(n: u64) -> NaiveDate {
    today(Utc::now()).checked_add_days(Days::new(n)).unwrap()
}

fn event(id: &str) -> EventEnvelope {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "PaymentApproved", "version": 1, "source": "payment", "correlationId": "r",
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": {}
    }))
    .unwrap()
}

async fn with_rooms() -> (Memory, RoomId, RoomId) {
    let memory = Memory::default();
    let standard = RoomId::parse("room-101").unwrap();
    let twin = RoomId::parse("room-201").unwrap();
    for (id, name, price) in [(&standard, "Standard 101", 50_000), (&twin, "Twin 201", 45_000)] {
        let copy = RoomCopy {
            room_id: id.clone(),
            name: name.into(),
            price_per_night: Won::new(price),
            status: RoomStatus::Available,
            version: 1,
        };
        application::keep_room(&memory, &copy, &event(&format!("room-{name}"))).await.unwrap();
    }
    (memory, standard, twin)
}

fn command(room: &RoomId, check_in: NaiveDate, nights: u32, key: Option<&str>) -> PlaceReservation {
    PlaceReservation {
        customer: (a(), "A".into()),
        key: key.map(idempotency_key),
        room_id: room.clone(),
        check_in,
        nights: Nights::try_from(nights).unwrap(),
    }
}

fn answer(r: &Reservation) -> anyhow::Result<FirstAnswer> {
    Ok(FirstAnswer { status: 201, body: format!("{{\"reservationId\":\"{}\"}}", r.id) })
}

async fn place(memory: &Memory, command: &PlaceReservation) -> Result<Reservation, PlaceError> {
    match application::place(memory, memory, command, answer).await? {
        Placed::New(r) => Ok(r),
        Placed::Replayed(record) => panic!("replayed {record:?}"),
    }
}

#[tokio::test]
async fn the_scenario_reservations_cost_price_times_nights_and_no_night_is_sold_twice() {
    let (memory, standard, twin) = with_rooms().await;
    let first = place(&memory, &command(&standard, day(7), 2, None)).await.unwrap();
    assert_eq!((first.status, first.amount), (ReservationStatus::Reserved, Won::new(100_000)));
    assert!(matches!(place(&memory, &command(&standard, day(8), 1, None)).await, Err(PlaceError::NightTaken)));
    assert_eq!(place(&memory, &command(&standard, day(20), 1, None)).await.unwrap().amount, Won::new(50_000));
    assert_eq!(place(&memory, &command(&twin, day(7), 1, None)).await.unwrap().amount, Won::new(45_000));
    assert_eq!(memory.outbox.lock().unwrap().len(), 3, "one ReservationPlaced each, none for the refused one");
    // Cancelling frees the nights.
    application::cancel(&memory, &first.id, &a()).await.unwrap();
    assert!(place(&memory, &command(&standard, day(7), 2, None)).await.is_ok(), "D+7 can be booked again");
}

#[tokio::test]
async fn an_unknown_room_a_closed_room_and_a_past_date_place_nothing() {
    let (memory, standard, _) = with_rooms().await;
    let unknown = RoomId::parse("nowhere").unwrap();
    assert!(matches!(place(&memory, &command(&unknown, day(7), 1, None)).await, Err(PlaceError::UnknownRoom(_))));
    assert!(matches!(
        place(&memory, &command(&standard, day(0).pred_opt().unwrap(), 1, None)).await,
        Err(PlaceError::Unbookable(_))
    ));
    let closed = RoomCopy {
        room_id: standard.clone(),
        name: "Standard 101".into(),
        price_per_night: Won::new(50_000),
        status: RoomStatus::Closed,
        version: 2,
    };
    assert_eq!(application::keep_room(&memory, &closed, &event("close")).await.unwrap(), Followed::Changed);
    assert!(matches!(place(&memory, &command(&standard, day(7), 1, None)).await, Err(PlaceError::Unbookable(_))));
    assert!(memory.reservations.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_repeated_key_answers_the_first_answer_and_a_different_body_under_it_is_refused() {
    let (memory, standard, _) = with_rooms().await;
    let first = place(&memory, &command(&standard, day(7), 2, Some("k-1"))).await.unwrap();
    let again =
        application::place(&memory, &memory, &command(&standard, day(7), 2, Some("k-1")), answer).await.unwrap();
    assert!(matches!(again, Placed::Replayed(record) if record.resource_id == first.id.to_string()));
    let other = application::place(&memory, &memory, &command(&standard, day(9), 1, Some("k-1")), answer).await;
    assert!(matches!(other, Err(PlaceError::KeyReused)));
    assert_eq!(memory.reservations.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn paying_marks_paid_once_a_503_leaves_it_reserved_and_the_late_approval_reconciles() {
    let (memory, standard, twin) = with_rooms().await;
    let pay = FakePay::default();
    let r = place(&memory, &command(&standard, day(7), 2, None)).await.unwrap();
    let paid = application::pay(&memory, &pay, &r.id, &a()).await.unwrap();
    assert_eq!(paid.status, ReservationStatus::Paid);
    let again = application::pay(&memory, &pay, &r.id, &a()).await.unwrap();
    assert_eq!((again.payment_id, pay.calls.load(Ordering::SeqCst)), (paid.payment_id.clone(), 1), "no second call");

    // Payment cannot answer in time: 503, still Reserved; the approval arrives by event.
    let slow = place(&memory, &command(&twin, day(30), 1, None)).await.unwrap();
    pay.down.store(true, Ordering::SeqCst);
    assert!(matches!(application::pay(&memory, &pay, &slow.id, &a()).await, Err(ReservationError::PayUnavailable(_))));
    assert_eq!(memory.find(&slow.id).await.unwrap().unwrap().status, ReservationStatus::Reserved);
    let late = PaymentId::parse("p-late").unwrap();
    assert_eq!(application::reconcile_paid(&memory, &slow.id, &late, &event("e-1")).await.unwrap(), Followed::Changed);
    assert_eq!(application::reconcile_paid(&memory, &slow.id, &late, &event("e-1")).await.unwrap(), Followed::Nothing);
    let benefit = Benefit { service: None, points: 4_500 };
    assert_eq!(
        application::confirm(&memory, &slow.id, &late, &benefit, &event("e-2")).await.unwrap(),
        Followed::Changed
    );
    let confirmed = memory.find(&slow.id).await.unwrap().unwrap();
    assert_eq!(
        (confirmed.status, confirmed.promotion, confirmed.payment_id),
        (ReservationStatus::Confirmed, Some(benefit), Some(late))
    );
    // Payment back: paying again answers the same payment without a call.
    pay.down.store(false, Ordering::SeqCst);
    let calls = pay.calls.load(Ordering::SeqCst);
    assert_eq!(application::pay(&memory, &pay, &slow.id, &a()).await.unwrap().status, ReservationStatus::Confirmed);
    assert_eq!(pay.calls.load(Ordering::SeqCst), calls);
}

#[tokio::test]
async fn another_customer_sees_nothing_and_a_cancelled_one_is_not_paid_nor_moved_by_events() {
    let (memory, standard, _) = with_rooms().await;
    let pay = FakePay::default();
    let r = place(&memory, &command(&standard, day(7), 1, None)).await.unwrap();
    let b = CustomerId::parse("auth0|b").unwrap();
    assert!(matches!(
        application::get(&memory, &r.id, &Viewer::Customer(b.clone())).await,
        Err(ReservationError::NotFound(_))
    ));
    assert!(matches!(application::pay(&memory, &pay, &r.id, &b).await, Err(ReservationError::NotFound(_))));
    assert!(matches!(application::cancel(&memory, &r.id, &b).await, Err(ReservationError::NotFound(_))));
    assert!(application::get(&memory, &r.id, &Viewer::Manager).await.is_ok());

    let cancelled = application::cancel(&memory, &r.id, &a()).await.unwrap();
    assert_eq!(cancelled.status, ReservationStatus::Cancelled);
    assert!(matches!(application::cancel(&memory, &r.id, &a()).await, Err(ReservationError::Uncancellable(_))));
    assert!(matches!(application::pay(&memory, &pay, &r.id, &a()).await, Err(ReservationError::Cancelled(_))));
    assert_eq!(pay.calls.load(Ordering::SeqCst), 0);
    let p = PaymentId::parse("p-x").unwrap();
    assert_eq!(application::reconcile_paid(&memory, &r.id, &p, &event("e-3")).await.unwrap(), Followed::Nothing);
    let benefit = Benefit { service: None, points: 5_000 };
    assert_eq!(application::confirm(&memory, &r.id, &p, &benefit, &event("e-4")).await.unwrap(), Followed::Nothing);
    assert_eq!(memory.find(&r.id).await.unwrap().unwrap().status, ReservationStatus::Cancelled);
    assert!(matches!(memory.outbox.lock().unwrap().last(), Some(ReservationEvent::Cancelled(c, _)) if c.id == r.id));
}

#[tokio::test]
async fn a_reordered_older_room_event_does_not_overwrite_a_newer_copy() {
    let (memory, standard, _) = with_rooms().await;
    let newer = RoomCopy {
        room_id: standard.clone(),
        name: "Standard 101".into(),
        price_per_night: Won::new(70_000),
        status: RoomStatus::Available,
        version: 3,
    };
    application::keep_room(&memory, &newer, &event("v3")).await.unwrap();
    let older = RoomCopy { version: 2, price_per_night: Won::new(60_000), ..newer.clone() };
    assert_eq!(application::keep_room(&memory, &older, &event("v2")).await.unwrap(), Followed::Nothing);
    assert_eq!(memory.find_room(&standard).await.unwrap().unwrap().price_per_night, Won::new(70_000));
}
