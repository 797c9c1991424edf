//! The shop counter's rules: the [`Delivery`] aggregate (one per order) and how waiting
//! numbers are issued. Plain Rust: no I/O, no AWS, no wire types.
//!
//! Waiting numbers:
//! - they belong to the shop's [`BusinessDay`] (its local date in its time zone) and start at 1
//!   each business day ([`WaitingNumber::nth`]: the n-th number handed out on a day is n);
//! - they are issued once per order: a placed order gets a delivery only if the counter has
//!   never seen it ([`Intake::of`]); a duplicate or late `OrderPlaced` issues nothing, and an
//!   order cancelled before its `OrderPlaced` arrived never gets a delivery;
//! - they never repeat within a day (the day's sequence only goes up; the adapter also claims
//!   each number once).
//!
//! Delivery status: `Waiting` -> `Preparing` -> `Completed` (the barista may also complete a
//! waiting delivery directly); `Waiting` -> `Cancelled`. Nothing moves back and a cancelled
//! delivery stays cancelled. Every command returns the new state and the [`DeliveryEvent`]s
//! it produced; no events means nothing changed.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

platform::uuid_id!(
    /// A delivery's id: a UUID v7 the counter generates when it issues the delivery.
    DeliveryId,
    "a delivery id (UUID)"
);

platform::opaque_id!(
    /// An order's id, as the order context gives it in `OrderPlaced` (opaque here).
    OrderId
);

platform::opaque_id!(
    /// The customer who ordered: a token's `sub` (opaque; not necessarily a UUID).
    CustomerId
);

/// Where a delivery is. The order of the variants is the order of the barista's work.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    utoipa::ToSchema,
)]
pub enum DeliveryStatus {
    /// Issued, in the queue.
    Waiting,
    /// The barista is making it.
    Preparing,
    /// Handed over.
    Completed,
    /// Cancelled before the barista started it.
    Cancelled,
}

/// Where the barista may move a delivery (`PATCH /deliveries/{deliveryId}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr, strum::Display)]
pub enum Progress {
    /// Started making it.
    Preparing,
    /// Handed it over.
    Completed,
}

impl From<Progress> for DeliveryStatus {
    fn from(progress: Progress) -> Self {
        match progress {
            Progress::Preparing => Self::Preparing,
            Progress::Completed => Self::Completed,
        }
    }
}

/// The shop's local date a waiting number belongs to; `YYYY-MM-DD` as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BusinessDay(NaiveDate);

impl BusinessDay {
    /// The shop's business day at `at`, in the shop's time zone `zone`: a new day (and new
    /// waiting numbers) begins at the shop's midnight, not at UTC's.
    pub fn of(at: DateTime<Utc>, zone: &platform::zone::Zone) -> Self {
        Self(zone.local_date(at))
    }

    /// The date.
    pub fn date(self) -> NaiveDate {
        self.0
    }
}

impl std::fmt::Display for BusinessDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// A waiting number: 1 for the first order the counter takes on a business day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct WaitingNumber(u32);

/// A waiting number that cannot be: 0, or beyond `u32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a waiting number is 1 or more (got the {0}th)")]
pub struct InvalidWaitingNumber(pub u64);

impl WaitingNumber {
    /// The first number of every business day.
    pub const FIRST: Self = Self(1);

    /// The number handed out `n`-th on its business day (`n` from 1): numbering starts at 1
    /// each day and follows the day's sequence, so a number is never handed out twice a day.
    ///
    /// # Errors
    /// [`InvalidWaitingNumber`] for 0 or a count beyond `u32`.
    pub fn nth(n: u64) -> Result<Self, InvalidWaitingNumber> {
        u32::try_from(n).ok().filter(|n| *n >= 1).map(Self).ok_or(InvalidWaitingNumber(n))
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for WaitingNumber {
    type Error = InvalidWaitingNumber;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::nth(u64::from(n))
    }
}

impl From<WaitingNumber> for u32 {
    fn from(number: WaitingNumber) -> Self {
        number.0
    }
}

impl std::fmt::Display for WaitingNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What happened to a delivery, as the domain says it. The adapter publishes each on
/// `DeliveryEventsTopic` under the name given, except [`DeliveryEvent::Cancelled`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryEvent {
    /// The counter took an order and issued its waiting number (published as `OrderWaited`;
    /// consumed by order, notification and report).
    Issued {
        /// The new delivery.
        delivery_id: DeliveryId,
        /// Its order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
        /// The day's number.
        waiting_number: WaitingNumber,
    },
    /// The barista started making it (published as `DeliveryStarted`; order stops cancelling).
    Started {
        /// The delivery.
        delivery_id: DeliveryId,
        /// Its order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
    },
    /// The barista handed it over (published as `DeliveryCompleted`; order completes).
    Completed {
        /// The delivery.
        delivery_id: DeliveryId,
        /// Its order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
        /// Its number, called out at the counter.
        waiting_number: WaitingNumber,
    },
    /// It was cancelled before the barista started it (published as `DeliveryCancelled`
    /// when the order context asked synchronously: its call may have timed out after this
    /// committed, and the event still cancels the order).
    Cancelled {
        /// The delivery.
        delivery_id: DeliveryId,
        /// Its order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
    },
    /// The order was cancelled before the counter issued its delivery: none ever will be
    /// (published as `DeliveryCancelled` with `cancelledBeforeIssue`, like [`Self::Cancelled`]).
    CancelledBeforeIssue {
        /// The order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
    },
}

/// What the counter knows about an order: the record that makes one order one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderAtCounter {
    /// The order's delivery was issued.
    Issued(DeliveryId),
    /// The order was cancelled before its delivery was issued; none ever will be.
    CancelledBeforeIssue,
}

/// Why a placed order gets no delivery: the counter has seen it before.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlreadyKnown {
    /// A duplicate or late `OrderPlaced`: the order already has this delivery.
    #[error("the order already has delivery {0}")]
    Issued(DeliveryId),
    /// The order was cancelled before it reached the counter.
    #[error("the order was cancelled before its delivery was issued")]
    CancelledBeforeIssue,
}

impl OrderAtCounter {
    /// Records that `order_id` (of `customer_id`), which the counter has never seen, is
    /// cancelled before its delivery was issued (says [`DeliveryEvent::CancelledBeforeIssue`]).
    pub fn cancel_before_issue(order_id: OrderId, customer_id: CustomerId) -> (Self, Vec<DeliveryEvent>) {
        (Self::CancelledBeforeIssue, vec![DeliveryEvent::CancelledBeforeIssue { order_id, customer_id }])
    }
}

/// A placed order the counter has never seen: the only thing a delivery is issued from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    order_id: OrderId,
    customer_id: CustomerId,
}

impl Intake {
    /// The counter's take on a placed order, given what it already knows about it.
    ///
    /// # Errors
    /// [`AlreadyKnown`] when the order has a delivery already or was cancelled first: it gets
    /// no (other) delivery and takes no number.
    pub fn of(
        order_id: OrderId,
        customer_id: CustomerId,
        known: Option<&OrderAtCounter>,
    ) -> Result<Self, AlreadyKnown> {
        match known {
            None => Ok(Self { order_id, customer_id }),
            Some(OrderAtCounter::Issued(id)) => Err(AlreadyKnown::Issued(id.clone())),
            Some(OrderAtCounter::CancelledBeforeIssue) => Err(AlreadyKnown::CancelledBeforeIssue),
        }
    }

    /// Issues the order's delivery, `Waiting` with `number` of business day `day`.
    pub fn issue(self, number: WaitingNumber, day: BusinessDay, now: DateTime<Utc>) -> (Delivery, Vec<DeliveryEvent>) {
        let now = now.trunc_subsecs(3);
        let delivery = Delivery {
            id: DeliveryId::generate(),
            order_id: self.order_id,
            customer_id: self.customer_id,
            waiting_number: number,
            business_day: day,
            status: DeliveryStatus::Waiting,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let issued = DeliveryEvent::Issued {
            delivery_id: delivery.id.clone(),
            order_id: delivery.order_id.clone(),
            customer_id: delivery.customer_id.clone(),
            waiting_number: number,
        };
        (delivery, vec![issued])
    }
}

/// Why the barista's move was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    /// The delivery was cancelled.
    #[error("the delivery was cancelled")]
    Cancelled,
    /// The move would go back (Completed -> Preparing).
    #[error("a delivery cannot move back from {from} to {to}")]
    Backwards {
        /// Where it is.
        from: DeliveryStatus,
        /// Where the barista asked for.
        to: DeliveryStatus,
    },
}

/// Why a delivery cannot be cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CancelError {
    /// The barista has started (or finished) it: too late.
    #[error("the barista has already started this delivery ({0})")]
    AlreadyStarted(DeliveryStatus),
}

/// A delivery as stored: what the adapter writes and reads back ([`Delivery::restore`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Its id.
    pub id: DeliveryId,
    /// The order it serves.
    pub order_id: OrderId,
    /// Who ordered.
    pub customer_id: CustomerId,
    /// Its waiting number.
    pub waiting_number: WaitingNumber,
    /// The business day of the number.
    pub business_day: BusinessDay,
    /// Where it is.
    pub status: DeliveryStatus,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version: 1 when issued, +1 per change.
    pub version: u64,
}

/// A delivery: one order at the counter. Changed only through its commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    id: DeliveryId,
    order_id: OrderId,
    customer_id: CustomerId,
    waiting_number: WaitingNumber,
    business_day: BusinessDay,
    status: DeliveryStatus,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: u64,
}

impl Delivery {
    /// A delivery as it was stored.
    pub fn restore(record: DeliveryRecord) -> Self {
        let DeliveryRecord {
            id,
            order_id,
            customer_id,
            waiting_number,
            business_day,
            status,
            created_at,
            updated_at,
            version,
        } = record;
        Self { id, order_id, customer_id, waiting_number, business_day, status, created_at, updated_at, version }
    }

    /// Its id.
    pub fn id(&self) -> &DeliveryId {
        &self.id
    }

    /// The order it serves.
    pub fn order_id(&self) -> &OrderId {
        &self.order_id
    }

    /// Who ordered.
    pub fn customer_id(&self) -> &CustomerId {
        &self.customer_id
    }

    /// Its waiting number.
    pub fn waiting_number(&self) -> WaitingNumber {
        self.waiting_number
    }

    /// The business day of its number.
    pub fn business_day(&self) -> BusinessDay {
        self.business_day
    }

    /// Where it is.
    pub fn status(&self) -> DeliveryStatus {
        self.status
    }

    /// When it was issued (millisecond precision).
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// When it last changed (millisecond precision).
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }

    /// Its optimistic-concurrency version.
    pub fn version(&self) -> u64 {
        self.version
    }

    fn moved(&self, to: DeliveryStatus, now: DateTime<Utc>) -> Self {
        Self { status: to, updated_at: now.trunc_subsecs(3), version: self.version + 1, ..self.clone() }
    }

    /// The barista moves it on, to `Preparing` (says [`DeliveryEvent::Started`]) or
    /// `Completed` (says [`DeliveryEvent::Completed`]). Where it already is: unchanged, no
    /// events.
    ///
    /// # Errors
    /// [`MoveError::Cancelled`] for a cancelled delivery, [`MoveError::Backwards`] for a move
    /// back.
    pub fn advance(&self, to: Progress, now: DateTime<Utc>) -> Result<(Self, Vec<DeliveryEvent>), MoveError> {
        let target = DeliveryStatus::from(to);
        match self.status {
            DeliveryStatus::Cancelled => return Err(MoveError::Cancelled),
            current if current == target => return Ok((self.clone(), Vec::new())),
            current if current > target => return Err(MoveError::Backwards { from: current, to: target }),
            _ => {}
        }
        let next = self.moved(target, now);
        let event = match to {
            Progress::Preparing => DeliveryEvent::Started {
                delivery_id: next.id.clone(),
                order_id: next.order_id.clone(),
                customer_id: next.customer_id.clone(),
            },
            Progress::Completed => DeliveryEvent::Completed {
                delivery_id: next.id.clone(),
                order_id: next.order_id.clone(),
                customer_id: next.customer_id.clone(),
                waiting_number: next.waiting_number,
            },
        };
        Ok((next, vec![event]))
    }

    /// Cancels it while it is waiting (says [`DeliveryEvent::Cancelled`]). Already
    /// cancelled: unchanged, no events.
    ///
    /// # Errors
    /// [`CancelError::AlreadyStarted`] once it is Preparing or Completed.
    pub fn cancel(&self, now: DateTime<Utc>) -> Result<(Self, Vec<DeliveryEvent>), CancelError> {
        match self.status {
            DeliveryStatus::Waiting => {
                let next = self.moved(DeliveryStatus::Cancelled, now);
                let event = DeliveryEvent::Cancelled {
                    delivery_id: next.id.clone(),
                    order_id: next.order_id.clone(),
                    customer_id: next.customer_id.clone(),
                };
                Ok((next, vec![event]))
            }
            DeliveryStatus::Cancelled => Ok((self.clone(), Vec::new())),
            started @ (DeliveryStatus::Preparing | DeliveryStatus::Completed) => {
                Err(CancelError::AlreadyStarted(started))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    use platform::zone::Zone;

    static SEOUL: LazyLock<Zone> = LazyLock::new(|| Zone::named("Asia/Seoul").unwrap());

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn intake(order: &str) -> Intake {
        Intake::of(OrderId::parse(order).unwrap(), CustomerId::parse("auth0|kim").unwrap(), None).unwrap()
    }

    /// Given a waiting delivery issued at `now`.
    fn waiting(now: DateTime<Utc>) -> Delivery {
        intake("o-1").issue(WaitingNumber::FIRST, BusinessDay::of(now, &SEOUL), now).0
    }

    #[test]
    fn the_business_day_turns_at_the_shops_midnight_not_at_utcs() {
        let last_second = at("2026-11-21T14:59:59.999Z"); // 23:59:59.999 in Seoul
        let midnight = at("2026-11-21T15:00:00Z"); // 00:00 on the 22nd in Seoul
        assert_eq!(BusinessDay::of(last_second, &SEOUL).to_string(), "2026-11-21");
        assert_eq!(BusinessDay::of(midnight, &SEOUL).to_string(), "2026-11-22");
        assert_eq!(BusinessDay::of(midnight, &Zone::utc()).to_string(), "2026-11-21", "still the 21st in UTC");
    }

    #[test]
    fn numbers_start_at_one_each_business_day_and_count_up() {
        assert_eq!(WaitingNumber::nth(1), Ok(WaitingNumber::FIRST));
        assert_eq!(WaitingNumber::nth(42).map(WaitingNumber::get), Ok(42));
        assert_eq!(WaitingNumber::nth(0), Err(InvalidWaitingNumber(0)));
        assert!(WaitingNumber::nth(u64::from(u32::MAX) + 1).is_err());
        assert!(serde_json::from_str::<WaitingNumber>("0").is_err(), "no stored 0 reads back");

        // Given the 7th order of the 21st just before the shop's midnight ...
        let late = at("2026-11-21T14:59:59Z");
        let (before, _) = intake("o-7").issue(WaitingNumber::nth(7).unwrap(), BusinessDay::of(late, &SEOUL), late);
        // ... when the next order comes in a second later, it is the first of the 22nd.
        let early = at("2026-11-21T15:00:00Z");
        let day = BusinessDay::of(early, &SEOUL);
        let (after, events) = intake("o-8").issue(WaitingNumber::FIRST, day, early);
        assert_ne!(before.business_day(), after.business_day());
        assert_eq!(after.business_day().to_string(), "2026-11-22");
        assert_eq!(
            events,
            [DeliveryEvent::Issued {
                delivery_id: after.id().clone(),
                order_id: OrderId::parse("o-8").unwrap(),
                customer_id: CustomerId::parse("auth0|kim").unwrap(),
                waiting_number: WaitingNumber::FIRST,
            }]
        );
        assert_eq!((after.status(), after.version()), (DeliveryStatus::Waiting, 1));
    }

    #[test]
    fn an_order_gets_a_delivery_only_the_first_time_the_counter_sees_it() {
        let order = || OrderId::parse("o-1").unwrap();
        let customer = || CustomerId::parse("c").unwrap();
        let id = DeliveryId::generate();
        assert!(Intake::of(order(), customer(), None).is_ok());
        assert_eq!(
            Intake::of(order(), customer(), Some(&OrderAtCounter::Issued(id.clone()))),
            Err(AlreadyKnown::Issued(id))
        );
        assert_eq!(
            Intake::of(order(), customer(), Some(&OrderAtCounter::CancelledBeforeIssue)),
            Err(AlreadyKnown::CancelledBeforeIssue)
        );
    }

    #[test]
    fn the_barista_moves_a_delivery_forward_and_each_move_says_so() {
        let now = at("2026-11-21T05:00:00Z");
        let given = waiting(now);
        let (preparing, events) = given.advance(Progress::Preparing, now).unwrap();
        assert_eq!(
            events,
            [DeliveryEvent::Started {
                delivery_id: given.id().clone(),
                order_id: given.order_id().clone(),
                customer_id: given.customer_id().clone(),
            }]
        );
        assert_eq!((preparing.status(), preparing.version()), (DeliveryStatus::Preparing, 2));

        let (completed, events) = preparing.advance(Progress::Completed, now).unwrap();
        assert_eq!(
            events,
            [DeliveryEvent::Completed {
                delivery_id: given.id().clone(),
                order_id: given.order_id().clone(),
                customer_id: given.customer_id().clone(),
                waiting_number: WaitingNumber::FIRST,
            }]
        );
        assert_eq!((completed.status(), completed.version()), (DeliveryStatus::Completed, 3));

        // A waiting delivery may be handed over at once.
        let (direct, events) = given.advance(Progress::Completed, now).unwrap();
        assert_eq!(direct.status(), DeliveryStatus::Completed);
        assert!(matches!(events.as_slice(), [DeliveryEvent::Completed { .. }]));
    }

    #[test]
    fn a_delivery_never_moves_back_and_the_same_move_again_changes_nothing() {
        let now = at("2026-11-21T05:00:00Z");
        let (completed, _) = waiting(now).advance(Progress::Completed, now).unwrap();
        assert_eq!(
            completed.advance(Progress::Preparing, now),
            Err(MoveError::Backwards { from: DeliveryStatus::Completed, to: DeliveryStatus::Preparing })
        );
        assert_eq!(completed.advance(Progress::Completed, now), Ok((completed.clone(), Vec::new())));
        let (preparing, _) = waiting(now).advance(Progress::Preparing, now).unwrap();
        assert_eq!(preparing.advance(Progress::Preparing, now), Ok((preparing.clone(), Vec::new())));
    }

    #[test]
    fn only_a_waiting_delivery_can_be_cancelled_and_a_cancelled_one_never_moves() {
        let now = at("2026-11-21T05:00:00Z");
        let given = waiting(now);
        let (cancelled, events) = given.cancel(now).unwrap();
        assert_eq!(
            events,
            [DeliveryEvent::Cancelled {
                delivery_id: given.id().clone(),
                order_id: given.order_id().clone(),
                customer_id: given.customer_id().clone(),
            }]
        );
        assert_eq!((cancelled.status(), cancelled.version()), (DeliveryStatus::Cancelled, 2));
        assert_eq!(cancelled.cancel(now), Ok((cancelled.clone(), Vec::new())), "cancelling again changes nothing");
        assert_eq!(cancelled.advance(Progress::Preparing, now), Err(MoveError::Cancelled));
        assert_eq!(cancelled.advance(Progress::Completed, now), Err(MoveError::Cancelled));

        let (preparing, _) = given.advance(Progress::Preparing, now).unwrap();
        assert_eq!(preparing.cancel(now), Err(CancelError::AlreadyStarted(DeliveryStatus::Preparing)));
        let (completed, _) = given.advance(Progress::Completed, now).unwrap();
        assert_eq!(completed.cancel(now), Err(CancelError::AlreadyStarted(DeliveryStatus::Completed)));
    }

    #[test]
    fn statuses_read_and_print_by_name() {
        assert_eq!("Waiting".parse::<DeliveryStatus>(), Ok(DeliveryStatus::Waiting));
        assert!("Lost".parse::<DeliveryStatus>().is_err());
        assert_eq!(DeliveryStatus::Cancelled.to_string(), "Cancelled");
        assert_eq!("Completed".parse::<Progress>(), Ok(Progress::Completed));
        assert!("Waiting".parse::<Progress>().is_err(), "the barista cannot move a delivery to Waiting");
        assert!("Cancelled".parse::<Progress>().is_err(), "the barista does not cancel");
    }
}
