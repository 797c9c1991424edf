//! What the use cases need from the world, as narrow traits: the orders' storage
//! ([`Orders`]) and the delivery team's consent to cancel ([`DeliveryDesk`]). No AWS type
//! crosses them; the adapters are [`crate::store::DynamoOrders`] and [`crate::calls`].
//!
//! Error contract of every write: [`WriteError::Conflict`] when a condition failed (another
//! writer got there first; nothing was written; read again and decide again),
//! [`WriteError::Storage`] otherwise (nothing was written; retry later).

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;

use crate::domain::{CustomerId, Order, OrderEvent, OrderId};

/// Storage of orders, their idempotency records and the events they produce (outbox).
pub trait Orders {
    /// The order `id`, read consistently; `None` when there is none.
    ///
    /// # Errors
    /// When storage fails or the stored order is unreadable.
    fn find(&self, id: &OrderId) -> impl Future<Output = anyhow::Result<Option<Order>>> + Send;

    /// The first answer kept for `key` of `customer_id`; `None` when the key is new.
    ///
    /// # Errors
    /// When storage fails or the record is unreadable.
    fn find_idempotency(
        &self,
        customer_id: &CustomerId,
        key: &IdempotencyKey,
    ) -> impl Future<Output = anyhow::Result<Option<IdempotencyRecord>>> + Send;

    /// Stores a new order, the `record` of its first answer under `key`, and `events`, all
    /// or nothing.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when `key` (or the order id) was taken meanwhile.
    fn place(
        &self,
        order: &Order,
        key: &IdempotencyKey,
        record: &IdempotencyRecord,
        events: &[OrderEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a changed order if the stored one is still at `expected_version`, with
    /// `events`, all or nothing.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs.
    fn save(
        &self,
        order: &Order,
        expected_version: u64,
        events: &[OrderEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// For a consumer: stores `order` (if still at `expected_version`) and `events` together
    /// with the inbox item of `cause`, once; events emitted carry `cause` as their causation.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs. A repeat of `cause` is no
    /// error: [`Applied::AlreadyDone`], and nothing is written.
    fn save_once(
        &self,
        cause: &EventEnvelope,
        order: &Order,
        expected_version: u64,
        events: &[OrderEvent],
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}

/// The delivery team's answer to a cancel request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryCancellation {
    /// The delivery is cancelled, or will never be made.
    Cancelled,
    /// The clothes have shipped: too late.
    Shipped,
}

/// The delivery team's consent to cancel (the delivery context, a synchronous call).
pub trait DeliveryDesk {
    /// Asks delivery to cancel the delivery of `order_id` (ordered by `customer_id`).
    ///
    /// # Errors
    /// [`InvokeError`] when it cannot answer: breaker open, timeout, failure. After a timeout
    /// delivery may still have cancelled; it then says so with `DeliveryCancelled`, which
    /// [`crate::policies::follow_delivery`] applies.
    fn cancel(
        &self,
        order_id: &OrderId,
        customer_id: &CustomerId,
    ) -> impl Future<Output = Result<DeliveryCancellation, InvokeError>> + Send;
}
