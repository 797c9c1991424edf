//! What the use cases need from storage, one narrow trait each. The DynamoDB adapter is
//! [`crate::store`]; the tests have in-memory fakes.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;

use crate::domain::{
    Customer, CustomerEvent, CustomerId, HeldOrderPoints, HeldPoints, OrderId, OrderPoints, PointsAccount,
};

/// Why a new customer was not stored; nothing was written either way.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// This id already has a customer.
    #[error("the customer is already registered")]
    AlreadyRegistered,
    /// Another customer already uses the email address.
    #[error("the email address is already registered")]
    EmailTaken,
    /// The points held for the identity changed since they were read (an order event was
    /// applied meanwhile): read them again and register again.
    #[error("the points held for the customer changed")]
    HeldPointsChanged,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Stores new customers (`POST /customers`).
pub trait CustomerRegistry {
    /// The points held for identity `id` from orders it placed before registering
    /// ([`HeldPoints::none`] when there are none), read consistently.
    ///
    /// # Errors
    /// When storage fails or the stored item is corrupt.
    fn held(&self, id: &CustomerId) -> impl Future<Output = anyhow::Result<HeldPoints>> + Send;

    /// Stores `customer`, its claim on its email address, and `events` (for the outbox),
    /// and consumes `held` (the held points the customer's balance includes), all in one
    /// transaction.
    ///
    /// # Errors
    /// [`RegisterError::AlreadyRegistered`] when the id exists (checked first),
    /// [`RegisterError::EmailTaken`] when the address is claimed,
    /// [`RegisterError::HeldPointsChanged`] when the held points are no longer `held`,
    /// [`RegisterError::Storage`] otherwise.
    fn register(
        &self,
        customer: &Customer,
        held: &HeldPoints,
        events: &[CustomerEvent],
    ) -> impl Future<Output = Result<(), RegisterError>> + Send;
}

/// Reads customers (`GET /customers/{customerId}`).
pub trait CustomerLookup {
    /// The customer with `id`, or `None`.
    ///
    /// # Errors
    /// When storage fails or the stored item is corrupt.
    fn find(&self, id: &CustomerId) -> impl Future<Output = anyhow::Result<Option<Customer>>> + Send;
}

/// The points ledger the `earn_points` policy keeps: per customer and order.
pub trait PointsLedger {
    /// Customer `customer` with the ledger entry of `order`, read consistently; when the
    /// identity has not registered, its held points with that entry instead.
    ///
    /// # Errors
    /// When storage fails or an item is corrupt.
    fn find(
        &self,
        customer: &CustomerId,
        order: &OrderId,
    ) -> impl Future<Output = anyhow::Result<PointsAccount>> + Send;

    /// Stores `next` (decided from `current`) with `events` and the inbox record of
    /// `cause`, in one transaction: the customer only if still at `current`'s version, the
    /// entry only if it is new or, when it existed, not yet taken back.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the customer or the entry changed since it was read
    /// (read again and decide again); [`WriteError::Storage`] otherwise. A `cause` applied
    /// before answers `Ok(Applied::AlreadyDone)` and writes nothing.
    fn save_once(
        &self,
        cause: &EventEnvelope,
        current: &OrderPoints,
        next: &OrderPoints,
        events: &[CustomerEvent],
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// Stores `next` (decided from `current`) for an identity that has not registered, with
    /// the inbox record of `cause`, in one transaction: only if the identity is still not
    /// registered, the held points still at `current`'s version, and the entry new or, when
    /// it existed, not yet taken back.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when any of that changed since it was read (the identity
    /// registered meanwhile: read again and decide again); [`WriteError::Storage`]
    /// otherwise. A `cause` applied before answers `Ok(Applied::AlreadyDone)`.
    fn hold_once(
        &self,
        cause: &EventEnvelope,
        current: &HeldOrderPoints,
        next: &HeldOrderPoints,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}
