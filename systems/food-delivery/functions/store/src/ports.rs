//! What the store's use cases need from storage. No AWS type crosses these traits;
//! [`crate::store::DynamoStore`] implements them on DynamoDB, the tests in memory.
//!
//! Error contract of every write: [`WriteError::Conflict`] when a condition failed (another
//! writer got there first; nothing was written; read again and decide again),
//! [`WriteError::Storage`] otherwise. A write given a consumed event stores the consumer's
//! inbox item in the same transaction: [`Applied::AlreadyDone`] when it was handled before.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::{CustomerId, Desk, OrderId, StoreEvent, StoreOrder, StoreStatus};

/// The kitchen queue: store orders by status.
pub trait KitchenQueue {
    /// One `page` of the store orders in `status`, oldest first.
    ///
    /// # Errors
    /// [`PageError`].
    fn in_status(
        &self,
        status: StoreStatus,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<StoreOrder>, PageError>> + Send;
}

/// Reading and changing the store's entry of an order.
pub trait StoreOrders {
    /// What the store knows about `order`; `None` when nothing.
    ///
    /// # Errors
    /// When storage fails or the entry does not read back.
    fn find(&self, order: &OrderId) -> impl Future<Output = anyhow::Result<Option<Desk>>> + Send;

    /// Stores the changed `order` if still at `expected_version`, with `events`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the version differs (moving on and cancelling race:
    /// exactly one wins).
    fn save(
        &self,
        order: &StoreOrder,
        expected_version: u64,
        events: &[StoreEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a new store order (its order's first entry) with the inbox item of `once`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the order has an entry (a tombstone, or a concurrent
    /// delivery of the same event).
    fn receive(
        &self,
        order: &StoreOrder,
        once: &EventEnvelope,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// Records a tombstone for `order` (of `customer`) with `events`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the order has an entry already (it was just received).
    fn tombstone(
        &self,
        order: &OrderId,
        customer: &CustomerId,
        events: &[StoreEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Records that `event` was handled and changed nothing, so a repeat is recognised.
    ///
    /// # Errors
    /// [`WriteError::Storage`] when storage fails.
    fn acknowledge(&self, event: &EventEnvelope) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}
