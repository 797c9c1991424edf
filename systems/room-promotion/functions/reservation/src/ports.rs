//! What reservation's use cases need: storage ([`Rooms`], [`Reservations`]) and payment
//! ([`Pay`]). No AWS type crosses them; [`crate::store::DynamoReservations`] and
//! [`crate::calls::PayCall`] implement them, the tests in memory.
//!
//! Error contract of every write: [`WriteError::Conflict`] when a condition failed (a night
//! taken, a key used, another writer first; nothing was written), [`WriteError::Storage`]
//! otherwise. A write given a consumed event stores the consumer's inbox item in the same
//! transaction: [`Applied::AlreadyDone`] when it was handled before.

use std::future::Future;

use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;

use crate::domain::{CustomerId, PaymentId, Reservation, ReservationEvent, ReservationId, RoomCopy, RoomId};

/// Reservation's copies of the rooms.
pub trait Rooms {
    /// The copy of `room`; `None` when no event told of it yet.
    ///
    /// # Errors
    /// When storage fails.
    fn find_room(&self, room: &RoomId) -> impl Future<Output = anyhow::Result<Option<RoomCopy>>> + Send;

    /// Stores `copy` (replacing the one at `replaced`, the stored room version, or new) with
    /// the inbox item of `cause`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored copy changed meanwhile.
    fn save_room_once(
        &self,
        cause: &EventEnvelope,
        copy: &RoomCopy,
        replaced: Option<u64>,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}

/// The reservations and their nights.
pub trait Reservations {
    /// The reservation `id`; `None` when unknown.
    ///
    /// # Errors
    /// When storage fails or the item does not read back.
    fn find(&self, id: &ReservationId) -> impl Future<Output = anyhow::Result<Option<Reservation>>> + Send;

    /// The first answer `customer` got under `key`, if any.
    ///
    /// # Errors
    /// When storage fails.
    fn find_idempotency(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> impl Future<Output = anyhow::Result<Option<IdempotencyRecord>>> + Send;

    /// Stores a new reservation, one item per night (each only if free), its `events` and,
    /// when given, the first answer under a key (new), all or nothing.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when a night is taken or the key was used meanwhile.
    fn place(
        &self,
        reservation: &Reservation,
        events: &[ReservationEvent],
        answer: Option<(&IdempotencyKey, &IdempotencyRecord)>,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a changed reservation if still at `expected_version`, with `events`; a
    /// `Cancelled` one frees its nights in the same transaction.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs.
    fn save(
        &self,
        reservation: &Reservation,
        expected_version: u64,
        events: &[ReservationEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a reservation changed by the event `cause` if still at `expected_version`, with
    /// the inbox item of `cause`, once.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs.
    fn save_once(
        &self,
        cause: &EventEnvelope,
        reservation: &Reservation,
        expected_version: u64,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// Marks `cause` handled when it changes nothing here, so a repeat is known.
    ///
    /// # Errors
    /// When storage fails.
    fn skip_once(&self, cause: &EventEnvelope) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}

/// Payment's answer to a pay call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payment {
    /// Approved (now or before: the same payment).
    Approved(PaymentId),
    /// Refused: the reservation was cancelled first, or its payment refunded.
    Refused,
}

/// The synchronous payment (through the shared breaker, with a timeout).
pub trait Pay {
    /// Pays `amount` for `reservation` of `customer` (idempotent by `reservation`).
    ///
    /// # Errors
    /// [`InvokeError`]: the breaker is open, the call timed out or failed.
    fn pay(
        &self,
        reservation: &ReservationId,
        customer: (&CustomerId, &str),
        amount: Won,
    ) -> impl Future<Output = Result<Payment, InvokeError>> + Send;
}
