//! What the use cases need from storage, one narrow trait each. The DynamoDB adapter is
//! [`crate::store`]; the tests have in-memory fakes.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;

use crate::domain::{Customer, CustomerEvent, CustomerId, OrderId, OrderPoints};

/// Why a new customer was not stored; nothing was written either way.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// This id already has a customer.
    #[error("the customer is already registered")]
    AlreadyRegistered,
    /// Another customer already uses the email address.
    #[error("the email address is already registered")]
    EmailTaken,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Stores new customers (`POST /customers`).
pub trait CustomerRegistry {
    /// Stores `customer`, its claim on its email address, and `events` (for the outbox),
    /// all in one transaction.
    ///
    /// # Errors
    /// [`RegisterError::AlreadyRegistered`] when the id exists (checked first),
    /// [`RegisterError::EmailTaken`] when the address is claimed, [`RegisterError::Storage`]
    /// otherwise.
    fn register(
        &self,
        customer: &Customer,
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
    /// Customer `customer` with the ledger entry of `order`, read consistently; `None`
    /// when there is no such customer.
    ///
    /// # Errors
    /// When storage fails or an item is corrupt.
    fn find(
        &self,
        customer: &CustomerId,
        order: &OrderId,
    ) -> impl Future<Output = anyhow::Result<Option<OrderPoints>>> + Send;

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
}
