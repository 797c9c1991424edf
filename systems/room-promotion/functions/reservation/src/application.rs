//! Reservation's use cases: [`place`], [`get`], [`pay`] (the synchronous call), [`cancel`],
//! and the reactions [`keep_room`], [`reconcile_paid`] and [`confirm`]. Each reads, decides
//! with the [`crate::domain`], and writes the change with its events in one transaction,
//! again when a concurrent writer won.

use chrono::{NaiveDate, Utc};
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::idempotency::{Fingerprint, IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;
use platform::retry::{Conflict, on_conflict};

use crate::domain::{
    Benefit, CustomerId, IsCancelled, Nights, PaymentId, Reservation, ReservationId, ReservationStatus, RoomCopy,
    RoomId, Unbookable, Uncancellable,
};
use crate::ports::{Pay, Payment, Reservations, Rooms};

/// The group of the room team's tokens.
pub const MANAGER: &str = "manager";

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// A customer: sees only their own reservations.
    Customer(CustomerId),
    /// The room team: sees every reservation.
    Manager,
}

/// The command of `POST /reservations`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceReservation {
    /// Who reserves (the caller) and their name.
    pub customer: (CustomerId, String),
    /// The client's idempotency key, if it sent one.
    pub key: Option<IdempotencyKey>,
    /// The room.
    pub room_id: RoomId,
    /// The first night.
    pub check_in: NaiveDate,
    /// How many nights.
    pub nights: Nights,
}

impl PlaceReservation {
    /// The request's meaning, to tell a replay from another request under the same key.
    pub fn fingerprint(&self) -> Fingerprint {
        platform::idempotency::fingerprint([
            self.customer.0.to_string(),
            self.room_id.to_string(),
            self.check_in.to_string(),
            self.nights.get().to_string(),
        ])
    }
}

/// A first answer as the edge renders it, remembered under the idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body (JSON).
    pub body: String,
}

/// What [`place`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// Placed now.
    New(Reservation),
    /// The key was used before for this same request: its first answer.
    Replayed(IdempotencyRecord),
}

/// Why [`place`] placed nothing.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    /// No copy of the room (404).
    #[error("no room {0}")]
    UnknownRoom(RoomId),
    /// Closed room or past date (422).
    #[error(transparent)]
    Unbookable(#[from] Unbookable),
    /// A night of the stay is taken (409).
    #[error("a night of this stay is already reserved")]
    NightTaken,
    /// The key was used before for a different request (422).
    #[error("this Idempotency-Key was already used for a different request")]
    KeyReused,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

fn replayed(record: IdempotencyRecord, fingerprint: &Fingerprint) -> Result<Placed, PlaceError> {
    if &record.fingerprint != fingerprint {
        return Err(PlaceError::KeyReused);
    }
    Ok(Placed::Replayed(record))
}

/// Places a reservation: a repeat of a key answers its first answer; the room must be known
/// and bookable; the reservation, its nights (each only if free), `ReservationPlaced` and the
/// first answer (rendered by `answer`) are written in one transaction.
///
/// # Errors
/// [`PlaceError`]; nothing is written.
#[tracing::instrument(skip_all, fields(correlation_id))]
pub async fn place(
    rooms: &impl Rooms,
    reservations: &impl Reservations,
    command: &PlaceReservation,
    answer: impl FnOnce(&Reservation) -> anyhow::Result<FirstAnswer>,
) -> Result<Placed, PlaceError> {
    let fingerprint = command.fingerprint();
    if let Some(key) = &command.key
        && let Some(record) = reservations.find_idempotency(&command.customer.0, key).await?
    {
        return replayed(record, &fingerprint);
    }
    let room =
        rooms.find_room(&command.room_id).await?.ok_or_else(|| PlaceError::UnknownRoom(command.room_id.clone()))?;
    let (reservation, events) = Reservation::place(
        ReservationId::generate(),
        command.customer.clone(),
        &room,
        command.check_in,
        command.nights,
        Utc::now(),
    )?;
    tracing::Span::current().record("correlation_id", reservation.id.as_str());
    let first = answer(&reservation)?;
    let record = IdempotencyRecord {
        fingerprint: fingerprint.clone(),
        resource_id: reservation.id.to_string(),
        status: first.status,
        response: first.body,
    };
    match reservations.place(&reservation, &events, command.key.as_ref().map(|key| (key, &record))).await {
        Ok(()) => {
            platform::metrics::count("ReservationsPlaced", 1);
            platform::metrics::count("ReservedNights", u64::from(reservation.nights.get()));
            Ok(Placed::New(reservation))
        }
        Err(WriteError::Storage(err)) => Err(PlaceError::Storage(err)),
        Err(WriteError::Conflict) => match &command.key {
            Some(key) => match reservations.find_idempotency(&command.customer.0, key).await? {
                Some(record) => replayed(record, &fingerprint),
                None => Err(PlaceError::NightTaken),
            },
            None => Err(PlaceError::NightTaken),
        },
    }
}

/// Why a reservation is not shown, paid or cancelled.
#[derive(Debug, thiserror::Error)]
pub enum ReservationError {
    /// Unknown, or another customer's (404: nobody learns that it exists).
    #[error("no reservation {0}")]
    NotFound(ReservationId),
    /// Cancelled already: no payment (409).
    #[error(transparent)]
    Cancelled(#[from] IsCancelled),
    /// Cannot be cancelled (409).
    #[error(transparent)]
    Uncancellable(#[from] Uncancellable),
    /// Payment cannot answer now (503 + `Retry-After`); the reservation stays `Reserved`.
    #[error("payment cannot answer")]
    PayUnavailable(#[source] InvokeError),
    /// Concurrent writers kept winning.
    #[error("the reservation kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for ReservationError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for ReservationError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// The reservation `id` as `viewer` may see it: its customer's or the manager's.
///
/// # Errors
/// [`ReservationError::NotFound`] (also for another customer's), or storage.
pub async fn get(
    reservations: &impl Reservations,
    id: &ReservationId,
    viewer: &Viewer,
) -> Result<Reservation, ReservationError> {
    match reservations.find(id).await? {
        Some(r)
            if matches!(viewer, Viewer::Manager) || matches!(viewer, Viewer::Customer(c) if *c == r.customer_id) =>
        {
            Ok(r)
        }
        _ => Err(ReservationError::NotFound(id.clone())),
    }
}

/// Pays reservation `id` of `customer` through the synchronous call: a paid one answers its
/// payment again without a call; a cancelled one is refused (409); when payment cannot
/// answer in time the reservation stays `Reserved` (503), and the late approval reaches it
/// by `PaymentApproved`.
///
/// # Errors
/// [`ReservationError`].
#[tracing::instrument(skip_all, fields(correlation_id = %id))]
pub async fn pay(
    reservations: &impl Reservations,
    payment: &impl Pay,
    id: &ReservationId,
    customer: &CustomerId,
) -> Result<Reservation, ReservationError> {
    let reservation = get(reservations, id, &Viewer::Customer(customer.clone())).await?;
    match reservation.status {
        ReservationStatus::Cancelled => return Err(IsCancelled.into()),
        ReservationStatus::Paid | ReservationStatus::Confirmed => return Ok(reservation),
        ReservationStatus::Reserved => {}
    }
    let answer = payment
        .pay(id, (&reservation.customer_id, &reservation.customer_name), reservation.amount)
        .await
        .map_err(ReservationError::PayUnavailable)?;
    let payment_id = match answer {
        Payment::Approved(payment_id) => payment_id,
        Payment::Refused => return Err(IsCancelled.into()),
    };
    let paid = on_conflict(|| async {
        let current = reservations.find(id).await?.ok_or_else(|| ReservationError::NotFound(id.clone()))?;
        match current.paid(payment_id.clone(), Utc::now())? {
            None => Ok::<_, ReservationError>(current),
            Some(paid) => {
                reservations.save(&paid, current.version, &[]).await?;
                Ok(paid)
            }
        }
    })
    .await?;
    platform::metrics::count("ReservationsPaid", 1);
    platform::metrics::count("PaidWon", paid.amount.get());
    Ok(paid)
}

/// Cancels reservation `id` of `customer` (before check-in): `Cancelled` and
/// `ReservationCancelled`, its nights freed, in one transaction; payment refunds by event.
///
/// # Errors
/// [`ReservationError`].
#[tracing::instrument(skip_all, fields(correlation_id = %id))]
pub async fn cancel(
    reservations: &impl Reservations,
    id: &ReservationId,
    customer: &CustomerId,
) -> Result<Reservation, ReservationError> {
    let cancelled = on_conflict(|| async {
        let current = get(reservations, id, &Viewer::Customer(customer.clone())).await?;
        let (cancelled, events) = current.cancel(Utc::now())?;
        reservations.save(&cancelled, current.version, &events).await?;
        Ok::<_, ReservationError>(cancelled)
    })
    .await?;
    platform::metrics::count("ReservationsCancelled", 1);
    Ok(cancelled)
}

/// What a reaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// Changed now.
    Changed,
    /// Nothing to change (a repeat, an older event, or a status it leaves alone).
    Nothing,
}

fn followed(applied: Applied) -> Followed {
    match applied {
        Applied::Now => Followed::Changed,
        Applied::AlreadyDone => Followed::Nothing,
    }
}

/// Keeps the newest copy of a room (event `cause`: `RoomRegistered` or `RoomChanged`).
///
/// # Errors
/// [`ReservationError`] (retried).
pub async fn keep_room(
    rooms: &impl Rooms,
    copy: &RoomCopy,
    cause: &EventEnvelope,
) -> Result<Followed, ReservationError> {
    on_conflict(|| async {
        let stored = rooms.find_room(&copy.room_id).await?;
        if !RoomCopy::replaces(copy, stored.as_ref()) {
            return Ok(Followed::Nothing);
        }
        Ok::<_, ReservationError>(followed(rooms.save_room_once(cause, copy, stored.map(|s| s.version)).await?))
    })
    .await
}

async fn change_once(
    reservations: &impl Reservations,
    id: &ReservationId,
    cause: &EventEnvelope,
    change: impl Fn(&Reservation) -> Option<Reservation>,
) -> Result<Followed, ReservationError> {
    on_conflict(|| async {
        let Some(current) = reservations.find(id).await? else {
            tracing::warn!(reservation_id = %id, "an event for an unknown reservation; acknowledged");
            return Ok(Followed::Nothing);
        };
        let applied = match change(&current) {
            Some(next) => reservations.save_once(cause, &next, current.version).await?,
            None => {
                reservations.skip_once(cause).await?;
                return Ok(Followed::Nothing);
            }
        };
        Ok::<_, ReservationError>(followed(applied))
    })
    .await
}

/// `PaymentApproved` (event `cause`) reaches reservation `id`: a `Reserved` one becomes
/// `Paid` (the pay call had timed out); any other is left alone.
///
/// # Errors
/// [`ReservationError`] (retried).
pub async fn reconcile_paid(
    reservations: &impl Reservations,
    id: &ReservationId,
    payment: &PaymentId,
    cause: &EventEnvelope,
) -> Result<Followed, ReservationError> {
    let done = change_once(reservations, id, cause, |r| r.reconcile_paid(payment.clone(), Utc::now())).await?;
    if done == Followed::Changed {
        platform::metrics::count("PaymentsReconciled", 1);
    }
    Ok(done)
}

/// `PromotionGranted` (event `cause`) reaches reservation `id`: `Confirmed` with its benefit,
/// unless cancelled.
///
/// # Errors
/// [`ReservationError`] (retried).
pub async fn confirm(
    reservations: &impl Reservations,
    id: &ReservationId,
    payment: &PaymentId,
    benefit: &Benefit,
    cause: &EventEnvelope,
) -> Result<Followed, ReservationError> {
    change_once(reservations, id, cause, |r| r.confirm(payment.clone(), benefit.clone(), Utc::now())).await
}
