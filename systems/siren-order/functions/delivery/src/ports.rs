//! What the use cases need from storage, one narrow trait per need. No AWS type crosses
//! these traits; [`crate::store::DynamoDeliveries`] implements them on DynamoDB, and the
//! tests implement them in memory.
//!
//! Error contract of every write: [`WriteError::Conflict`] when a condition failed (another
//! writer got there first; nothing was written; read again and decide again),
//! [`WriteError::Storage`] otherwise (nothing was written; retry later). A write given the
//! consumed event (`once`) stores the consumer's inbox item in the same transaction, so the
//! event's effect happens once: [`Applied::AlreadyDone`] when the event was handled before
//! (and nothing was written now).

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::{
    BusinessDay, Delivery, DeliveryEvent, DeliveryId, DeliveryStatus, OrderAtCounter, OrderId, WaitingNumber,
};

/// The barista's view of the counter: deliveries by status.
pub trait DeliveryQueue {
    /// One `page` of the deliveries in `status`, oldest (first issued) first.
    ///
    /// # Errors
    /// [`PageError::InvalidCursor`] when the page's cursor is not one of this status's
    /// queue; [`PageError::Storage`] when storage fails or a stored delivery does not read
    /// back.
    fn in_status(
        &self,
        status: DeliveryStatus,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Delivery>, PageError>> + Send;
}

/// Reading and changing one delivery.
pub trait Deliveries {
    /// The delivery `id`, read consistently; `None` when there is none.
    ///
    /// # Errors
    /// When storage fails or the stored delivery does not read back.
    fn find(&self, id: &DeliveryId) -> impl Future<Output = anyhow::Result<Option<Delivery>>> + Send;

    /// Stores the changed `delivery` if it is still at `expected_version`, with the
    /// published form of `events` in the outbox, in one transaction (with `once`, also the
    /// inbox item of that consumed event).
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the delivery is no longer at `expected_version`.
    fn save(
        &self,
        delivery: &Delivery,
        expected_version: u64,
        events: &[DeliveryEvent],
        once: Option<&EventEnvelope>,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}

/// The counter's record of each order: what makes one order one delivery.
pub trait OrdersAtCounter {
    /// What the counter knows about `order`, read consistently; `None` when it has never
    /// seen it.
    ///
    /// # Errors
    /// When storage fails or the record does not read back.
    fn find_order(&self, order: &OrderId) -> impl Future<Output = anyhow::Result<Option<OrderAtCounter>>> + Send;

    /// Issues `delivery` (new, `Waiting`): stores it, records it as its order's delivery and
    /// claims its waiting number on its business day, with the published form of `events`
    /// in the outbox and the inbox item of `once`, in one transaction.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the order already has a record (a concurrent delivery of
    /// the same order won) or the number is already claimed: nothing was written.
    fn issue(
        &self,
        delivery: &Delivery,
        events: &[DeliveryEvent],
        once: &EventEnvelope,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// Records that `order` was cancelled before its delivery was issued, so none ever will
    /// be, with the published form of `events` in the outbox (with `once`, also the inbox
    /// item of that consumed event), in one transaction.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the order has a record already.
    fn cancel_before_issue(
        &self,
        order: &OrderId,
        events: &[DeliveryEvent],
        once: Option<&EventEnvelope>,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}

/// The day's sequence of waiting numbers.
pub trait WaitingNumbers {
    /// Hands out the next waiting number of `day`, atomically: the k-th call for a day gets
    /// [`WaitingNumber::nth`]`(k)`, so the first is 1 and none is handed out twice. A number
    /// handed out and then not used (its issue lost a race) is skipped: a gap, never a repeat.
    ///
    /// # Errors
    /// When storage fails; no number was handed out then, or it is skipped.
    fn next_number(&self, day: BusinessDay) -> impl Future<Output = anyhow::Result<WaitingNumber>> + Send;
}

/// The consumer's inbox, for events that need no change.
pub trait ConsumedEvents {
    /// Records that `event` was handled and changed nothing, so a repeat is recognised.
    ///
    /// # Errors
    /// [`WriteError::Storage`] when storage fails.
    fn acknowledge(&self, event: &EventEnvelope) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}
