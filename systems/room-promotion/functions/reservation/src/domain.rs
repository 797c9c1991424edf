//! Reservation's rules: the [`Reservation`] aggregate (예약) with its nights, and the
//! [`RoomCopy`] it keeps of every room. Plain Rust: no I/O.
//!
//! Status: `Reserved` -> `Paid` (payment approved) -> `Confirmed` (its promotion recorded);
//! `Reserved`, `Paid` or `Confirmed` -> `Cancelled`, only while today (Asia/Seoul) is before
//! `checkIn`. `amount = pricePerNight x nights` at the time of reservation; `nights` 1..30;
//! `checkIn` not before today; the room `Available` in the copy. Each night of the stay is
//! its own item, written only if new, so no night is sold twice.

use chrono::{DateTime, Days, NaiveDate, SubsecRound, Utc};
use platform::Won;
use serde::{Deserialize, Serialize};

platform::uuid_id!(
    /// A reservation's id: a UUID v7 reservation generates.
    ReservationId,
    "a reservation id (UUID)"
);

platform::opaque_id!(
    /// A room's id (the room context's, opaque here).
    RoomId
);

platform::opaque_id!(
    /// Who reserves: the token's `sub` (opaque).
    CustomerId
);

platform::opaque_id!(
    /// Payment's id of the reservation's payment (opaque here).
    PaymentId
);

/// The longest stay, in nights: one transaction writes every night's item.
pub const MAX_NIGHTS: u32 = 30;

/// A number of nights, 1 to [`MAX_NIGHTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Nights(u32);

/// A number of nights outside 1..30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("nights must be 1 to {MAX_NIGHTS}, not {0}")]
pub struct NightsOutOfRange(pub u32);

impl TryFrom<u32> for Nights {
    type Error = NightsOutOfRange;
    fn try_from(n: u32) -> Result<Self, NightsOutOfRange> {
        if (1..=MAX_NIGHTS).contains(&n) { Ok(Self(n)) } else { Err(NightsOutOfRange(n)) }
    }
}

impl From<Nights> for u32 {
    fn from(n: Nights) -> Self {
        n.0
    }
}

impl Nights {
    /// The number.
    pub const fn get(self) -> u32 {
        self.0
    }
}

/// Today in the hotel's zone (Asia/Seoul) at `now`.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    static SEOUL: std::sync::LazyLock<platform::zone::Zone> = std::sync::LazyLock::new(|| {
        platform::zone::Zone::named("Asia/Seoul").expect("Asia/Seoul is in the bundled time zone database")
    });
    SEOUL.local_date(now)
}

/// A room's state as the room context last told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum RoomStatus {
    /// Can be booked.
    Available,
    /// Cannot be booked.
    Closed,
}

/// Reservation's copy of a room, fed by `RoomRegistered` and `RoomChanged`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomCopy {
    /// The room.
    pub room_id: RoomId,
    /// Its name.
    pub name: String,
    /// Price of a night.
    pub price_per_night: Won,
    /// Available or closed.
    pub status: RoomStatus,
    /// The room's own version: a copy only ever moves to a higher one.
    pub version: u64,
}

impl RoomCopy {
    /// Whether `incoming` should replace `stored`: the first copy, or a newer version (an
    /// older or repeated event changes nothing).
    pub fn replaces(incoming: &Self, stored: Option<&Self>) -> bool {
        stored.is_none_or(|s| incoming.version > s.version)
    }
}

/// Where a reservation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum ReservationStatus {
    /// Placed, not paid (예약됨).
    Reserved,
    /// Payment approved.
    Paid,
    /// Its promotion is recorded (the original's `paymentComp`).
    Confirmed,
    /// Cancelled by its customer (예약취소됨). The end.
    Cancelled,
}

/// The promotion a reservation earned, as `PromotionGranted` told it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benefit {
    /// `DISCOUNT COUPON`, `BEVERAGE` or none.
    pub service: Option<String>,
    /// Mileage points.
    pub points: u64,
}

/// A reservation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    /// Its id.
    pub id: ReservationId,
    /// Who reserved.
    pub customer_id: CustomerId,
    /// Their name (the token's `name`).
    pub customer_name: String,
    /// The room.
    pub room_id: RoomId,
    /// Its name at the time.
    pub room_name: String,
    /// The first night.
    pub check_in: NaiveDate,
    /// How many nights.
    pub nights: Nights,
    /// `pricePerNight x nights` at the time.
    pub amount: Won,
    /// Where it is.
    pub status: ReservationStatus,
    /// Its payment, once known.
    pub payment_id: Option<PaymentId>,
    /// Its promotion, once recorded.
    pub promotion: Option<Benefit>,
    /// When placed.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version: 1 when placed, +1 per change.
    pub version: u64,
}

/// What reservation publishes; each carries the reservation after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReservationEvent {
    /// `ReservationPlaced`.
    Placed(Reservation),
    /// `ReservationCancelled`, with its reason.
    Cancelled(Reservation, &'static str),
}

/// Why a reservation cannot be placed (422), besides an unknown room (404) and a taken
/// night (409, found by the write).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unbookable {
    /// The room is closed.
    #[error("the room is closed")]
    Closed,
    /// `checkIn` is before today (Asia/Seoul).
    #[error("checkIn {0} is in the past")]
    Past(NaiveDate),
    /// The stay runs past the calendar's end.
    #[error("the stay runs past the calendar's end")]
    Calendar,
}

/// Why a reservation cannot be cancelled (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Uncancellable {
    /// It is cancelled already.
    #[error("the reservation is cancelled already")]
    AlreadyCancelled,
    /// Today is `checkIn` or later.
    #[error("check-in is reached: it can no longer be cancelled")]
    CheckInReached,
}

/// Payment of a cancelled reservation is refused (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the reservation is cancelled")]
pub struct IsCancelled;

/// The reason `ReservationCancelled` gives when the customer cancels.
pub const CUSTOMER_CANCELLED: &str = "CustomerCancelled";

impl Reservation {
    /// Places a reservation of `room` from `check_in` for `nights`, at `now`; says
    /// `ReservationPlaced`.
    ///
    /// # Errors
    /// [`Unbookable`].
    pub fn place(
        id: ReservationId,
        (customer_id, customer_name): (CustomerId, String),
        room: &RoomCopy,
        check_in: NaiveDate,
        nights: Nights,
        now: DateTime<Utc>,
    ) -> Result<(Self, Vec<ReservationEvent>), Unbookable> {
        if room.status == RoomStatus::Closed {
            return Err(Unbookable::Closed);
        }
        if check_in < today(now) {
            return Err(Unbookable::Past(check_in));
        }
        check_in.checked_add_days(Days::new(u64::from(nights.get()))).ok_or(Unbookable::Calendar)?;
        let now = now.trunc_subsecs(3);
        let reservation = Self {
            id,
            customer_id,
            customer_name,
            room_id: room.room_id.clone(),
            room_name: room.name.clone(),
            check_in,
            nights,
            amount: Won::new(room.price_per_night.get().saturating_mul(u64::from(nights.get()))),
            status: ReservationStatus::Reserved,
            payment_id: None,
            promotion: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let placed = ReservationEvent::Placed(reservation.clone());
        Ok((reservation, vec![placed]))
    }

    /// The dates of its nights: `checkIn`, then one per night.
    pub fn stay(&self) -> Vec<NaiveDate> {
        self.check_in.iter_days().take(self.nights.get() as usize).collect()
    }

    fn next(&self, status: ReservationStatus, now: DateTime<Utc>) -> Self {
        Self { status, updated_at: now.trunc_subsecs(3), version: self.version + 1, ..self.clone() }
    }

    /// Pay's answer `payment` reached it (the sync call): `Reserved` -> `Paid`. `None` when it
    /// is paid already (a repeat, or the event came first): nothing to write.
    ///
    /// # Errors
    /// [`IsCancelled`].
    pub fn paid(&self, payment: PaymentId, now: DateTime<Utc>) -> Result<Option<Self>, IsCancelled> {
        match self.status {
            ReservationStatus::Reserved => {
                Ok(Some(Self { payment_id: Some(payment), ..self.next(ReservationStatus::Paid, now) }))
            }
            ReservationStatus::Paid | ReservationStatus::Confirmed => Ok(None),
            ReservationStatus::Cancelled => Err(IsCancelled),
        }
    }

    /// `PaymentApproved` reached it (reconciliation after a timed-out call): `Reserved` ->
    /// `Paid`; any other status is left alone (a cancelled one is refunded by payment).
    pub fn reconcile_paid(&self, payment: PaymentId, now: DateTime<Utc>) -> Option<Self> {
        (self.status == ReservationStatus::Reserved).then(|| self.paid(payment, now).ok().flatten()).flatten()
    }

    /// `PromotionGranted` reached it: `Reserved` or `Paid` -> `Confirmed`, with the benefit
    /// (and the payment, when the approval has not arrived yet). A cancelled or confirmed
    /// reservation is left alone.
    pub fn confirm(&self, payment: PaymentId, benefit: Benefit, now: DateTime<Utc>) -> Option<Self> {
        match self.status {
            ReservationStatus::Reserved | ReservationStatus::Paid => Some(Self {
                payment_id: Some(self.payment_id.clone().unwrap_or(payment)),
                promotion: Some(benefit),
                ..self.next(ReservationStatus::Confirmed, now)
            }),
            ReservationStatus::Confirmed | ReservationStatus::Cancelled => None,
        }
    }

    /// The customer cancels at `now`: allowed while today (Asia/Seoul) is before `checkIn`;
    /// says `ReservationCancelled` (payment refunds by it).
    ///
    /// # Errors
    /// [`Uncancellable`].
    pub fn cancel(&self, now: DateTime<Utc>) -> Result<(Self, Vec<ReservationEvent>), Uncancellable> {
        if self.status == ReservationStatus::Cancelled {
            return Err(Uncancellable::AlreadyCancelled);
        }
        if today(now) >= self.check_in {
            return Err(Uncancellable::CheckInReached);
        }
        let cancelled = self.next(ReservationStatus::Cancelled, now);
        let event = ReservationEvent::Cancelled(cancelled.clone(), CUSTOMER_CANCELLED);
        Ok((cancelled, vec![event]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-22 10:00 in Seoul.
    fn now() -> DateTime<Utc> {
        "2026-11-22T01:00:00.123Z".parse().unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn room(price: u64, status: RoomStatus) -> RoomCopy {
        RoomCopy {
            room_id: RoomId::parse("room-101").unwrap(),
            name: "Standard 101".to_owned(),
            price_per_night: Won::new(price),
            status,
            version: 1,
        }
    }

    fn place(check_in: &str, nights: u32) -> Result<(Reservation, Vec<ReservationEvent>), Unbookable> {
        let customer = (CustomerId::parse("auth0|a").unwrap(), "A".to_owned());
        let nights = Nights::try_from(nights).unwrap();
        Reservation::place(
            ReservationId::generate(),
            customer,
            &room(50_000, RoomStatus::Available),
            day(check_in),
            nights,
            now(),
        )
    }

    #[test]
    fn amount_is_price_times_nights_and_each_night_is_its_own_date() {
        let (reservation, events) = place("2026-11-29", 2).unwrap();
        assert_eq!(
            (reservation.amount, reservation.status, reservation.version),
            (Won::new(100_000), ReservationStatus::Reserved, 1)
        );
        assert_eq!(reservation.stay(), [day("2026-11-29"), day("2026-11-30")]);
        assert_eq!(events, [ReservationEvent::Placed(reservation)]);
    }

    #[test]
    fn nights_are_1_to_30_and_the_room_must_be_open_and_check_in_not_past() {
        assert_eq!(Nights::try_from(0), Err(NightsOutOfRange(0)));
        assert_eq!(Nights::try_from(31), Err(NightsOutOfRange(31)));
        assert_eq!(Nights::try_from(30).map(Nights::get), Ok(30));
        assert!(place("2026-11-22", 1).is_ok(), "today (Seoul) can be booked");
        assert_eq!(place("2026-11-21", 1).unwrap_err(), Unbookable::Past(day("2026-11-21")));
        let customer = (CustomerId::parse("c").unwrap(), String::new());
        let closed = Reservation::place(
            ReservationId::generate(),
            customer,
            &room(1, RoomStatus::Closed),
            day("2026-12-01"),
            Nights::try_from(1).unwrap(),
            now(),
        );
        assert_eq!(closed.unwrap_err(), Unbookable::Closed);
        // 23:30 UTC on the 21st is already the 22nd in Seoul.
        assert_eq!(today("2026-11-21T23:30:00Z".parse().unwrap()), day("2026-11-22"));
    }

    #[test]
    fn reserved_to_paid_to_confirmed_and_repeats_change_nothing() {
        let (reserved, _) = place("2026-11-29", 2).unwrap();
        let payment = PaymentId::parse("p-1").unwrap();
        let paid = reserved.paid(payment.clone(), now()).unwrap().unwrap();
        assert_eq!(
            (paid.status, paid.version, paid.payment_id.clone()),
            (ReservationStatus::Paid, 2, Some(payment.clone()))
        );
        assert_eq!(paid.paid(payment.clone(), now()), Ok(None));
        assert_eq!(paid.reconcile_paid(payment.clone(), now()), None);
        let benefit = Benefit { service: Some("DISCOUNT COUPON".to_owned()), points: 10_000 };
        let confirmed = paid.confirm(payment.clone(), benefit.clone(), now()).unwrap();
        assert_eq!(
            (confirmed.status, confirmed.promotion.clone()),
            (ReservationStatus::Confirmed, Some(benefit.clone()))
        );
        assert_eq!(confirmed.confirm(payment.clone(), benefit.clone(), now()), None);
        assert_eq!(confirmed.paid(payment.clone(), now()), Ok(None));
        // Reconciliation: the approval event moves a Reserved one; the grant may come first.
        let reconciled = reserved.reconcile_paid(payment.clone(), now()).unwrap();
        assert_eq!(reconciled.status, ReservationStatus::Paid);
        let early = reserved.confirm(payment.clone(), benefit, now()).unwrap();
        assert_eq!((early.status, early.payment_id), (ReservationStatus::Confirmed, Some(payment)));
    }

    #[test]
    fn cancelling_works_before_check_in_from_every_live_status_once() {
        let (reserved, _) = place("2026-11-29", 2).unwrap();
        let payment = PaymentId::parse("p-1").unwrap();
        let paid = reserved.paid(payment.clone(), now()).unwrap().unwrap();
        let confirmed = paid.confirm(payment.clone(), Benefit { service: None, points: 1 }, now()).unwrap();
        for live in [&reserved, &paid, &confirmed] {
            let (cancelled, events) = live.cancel(now()).unwrap();
            assert_eq!(cancelled.status, ReservationStatus::Cancelled);
            assert_eq!(events, [ReservationEvent::Cancelled(cancelled.clone(), CUSTOMER_CANCELLED)]);
            assert_eq!(cancelled.cancel(now()).unwrap_err(), Uncancellable::AlreadyCancelled);
            assert_eq!(cancelled.paid(payment.clone(), now()), Err(IsCancelled));
            assert_eq!(cancelled.reconcile_paid(payment.clone(), now()), None, "payment refunds it itself");
            assert_eq!(cancelled.confirm(payment.clone(), Benefit { service: None, points: 1 }, now()), None);
        }
        let (today_stay, _) = place("2026-11-22", 1).unwrap();
        assert_eq!(today_stay.cancel(now()).unwrap_err(), Uncancellable::CheckInReached);
    }

    #[test]
    fn a_room_copy_only_moves_to_a_newer_version() {
        let first = room(50_000, RoomStatus::Available);
        assert!(RoomCopy::replaces(&first, None));
        let newer = RoomCopy { version: 2, status: RoomStatus::Closed, ..first.clone() };
        assert!(RoomCopy::replaces(&newer, Some(&first)));
        assert!(!RoomCopy::replaces(&first, Some(&newer)), "a late older event changes nothing");
        assert!(!RoomCopy::replaces(&newer, Some(&newer)), "a repeat changes nothing");
    }
}
