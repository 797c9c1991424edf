//! What the use cases need from storage, one narrow trait per need. No AWS type crosses
//! these traits; [`crate::store::DynamoDeliveries`] implements them on DynamoDB, the tests in
//! memory.
//!
//! Error contract of every write: [`WriteError::Conflict`] when a condition failed (another
//! writer got there first; nothing was written; read again and decide again),
//! [`WriteError::Storage`] otherwise (nothing was written; retry later). A write given a
//! consumed event stores the consumer's inbox item in the same transaction, so the event's
//! effect happens once: [`Applied::AlreadyDone`] when it was handled before.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::{CustomerId, Delivery, DeliveryEvent, DeliveryId, DeliveryStatus, Kind, OrderAtDesk, OrderId};

/// The team's work queue: tickets by kind and status.
pub trait DeliveryQueue {
    /// One `page` of the tickets of `kind` in `status`, oldest first.
    ///
    /// # Errors
    /// [`PageError::InvalidCursor`] when the cursor is not one of this queue;
    /// [`PageError::Storage`] when storage fails.
    fn in_queue(
        &self,
        kind: Kind,
        status: DeliveryStatus,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Delivery>, PageError>> + Send;
}

/// Reading and changing one ticket.
pub trait Deliveries {
    /// The ticket `id`, read consistently; `None` when there is none.
    ///
    /// # Errors
    /// When storage fails or the stored ticket does not read back.
    fn find(&self, id: &DeliveryId) -> impl Future<Output = anyhow::Result<Option<Delivery>>> + Send;

    /// Stores the changed `delivery` if it is still at `expected_version`, with the published
    /// form of `events` in the outbox, in one transaction.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the ticket is no longer at `expected_version` (shipping
    /// and cancelling race: exactly one wins).
    fn save(
        &self,
        delivery: &Delivery,
        expected_version: u64,
        events: &[DeliveryEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
}

/// The team's record of each order: what makes one order one ticket of each kind.
pub trait OrdersAtDesk {
    /// What the team knows about `order`'s ticket of `kind`; `None` when nothing.
    ///
    /// # Errors
    /// When storage fails or the record does not read back.
    fn find_order(
        &self,
        order: &OrderId,
        kind: Kind,
    ) -> impl Future<Output = anyhow::Result<Option<OrderAtDesk>>> + Send;

    /// Stores the new ticket `delivery` and records it as its order's ticket of its kind, with
    /// the inbox item of `once`, in one transaction.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the order has a record of that kind already (a
    /// concurrent delivery of the same event, or a tombstone, won).
    fn open(
        &self,
        delivery: &Delivery,
        once: &EventEnvelope,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// Records that `order` (of `customer`) was cancelled before it had a delivery ticket, so
    /// none will ever be made, with the published form of `events` in the outbox.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the order has a record already (its ticket was just made).
    fn tombstone(
        &self,
        order: &OrderId,
        customer: &CustomerId,
        events: &[DeliveryEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
}

/// The consumer's inbox, for events that need no change.
pub trait ConsumedEvents {
    /// Records that `event` was handled and changed nothing, so a repeat is recognised.
    ///
    /// # Errors
    /// [`WriteError::Storage`] when storage fails.
    fn acknowledge(&self, event: &EventEnvelope) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}
