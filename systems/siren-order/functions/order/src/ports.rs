//! What the use cases need from the world, as narrow traits: the orders' storage
//! ([`Orders`]), the product context's prices ([`ProductPricing`]) and the counter's consent
//! to cancel ([`DeliveryDesk`]). No AWS type crosses them; the adapters are
//! [`crate::store::DynamoOrders`] and [`crate::calls`].

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::{CustomerId, Order, OrderEvent, OrderId, Pricing, ProductId};

/// Storage of orders, their idempotency records and the events they produce (outbox).
pub trait Orders {
    /// The order `id`, read consistently; `None` when there is none.
    ///
    /// # Errors
    /// When storage fails or the stored order is unreadable.
    fn find(&self, id: &OrderId) -> impl Future<Output = anyhow::Result<Option<Order>>> + Send;

    /// One `page` of the orders of `customer_id`, newest first.
    ///
    /// # Errors
    /// [`PageError::InvalidCursor`] when the page's cursor is not one of this customer's
    /// list; [`PageError::Storage`] when storage fails or a stored order is unreadable.
    fn list_for_customer(
        &self,
        customer_id: &CustomerId,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Order>, PageError>> + Send;

    /// The first answer kept for `key` of `customer_id`; `None` when the key is new (or
    /// its record expired).
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
    /// [`WriteError::Conflict`] when `key` (or the order id) was taken meanwhile: nothing
    /// was written; [`WriteError::Storage`] otherwise.
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
    /// [`WriteError::Conflict`] when the stored version differs (read and decide again);
    /// [`WriteError::Storage`] otherwise.
    fn save(
        &self,
        order: &Order,
        expected_version: u64,
        events: &[OrderEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// For a consumer: stores `order` (if still at `expected_version`) and `events`
    /// together with the inbox item of `cause`, once. Events emitted carry `cause` as
    /// their causation.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs (read and decide again);
    /// [`WriteError::Storage`] otherwise. A repeat of `cause` is no error:
    /// [`Applied::AlreadyDone`], and nothing is written.
    fn save_once(
        &self,
        cause: &EventEnvelope,
        order: &Order,
        expected_version: u64,
        events: &[OrderEvent],
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}

/// The product context's prices and orderability (a synchronous call).
pub trait ProductPricing {
    /// What the product context says about `products` now.
    ///
    /// # Errors
    /// [`InvokeError`] when it cannot answer: breaker open, timeout, failure (including an
    /// answer that does not make sense).
    fn price(&self, products: &[ProductId]) -> impl Future<Output = Result<Pricing, InvokeError>> + Send;
}

/// The counter's answer to a cancel request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryCancellation {
    /// The delivery is cancelled, or will never be issued.
    Cancelled,
    /// The barista has started (or finished): too late.
    AlreadyStarted,
}

/// The counter's consent to cancel (the delivery context, a synchronous call).
pub trait DeliveryDesk {
    /// Asks the counter to cancel the delivery of `order_id` (ordered by `customer_id`).
    ///
    /// # Errors
    /// [`InvokeError`] when it cannot answer: breaker open, timeout, failure. After a
    /// timeout the counter may still have cancelled; it then says so with
    /// `DeliveryCancelled`, which [`crate::policies::follow_delivery`] applies.
    fn cancel(
        &self,
        order_id: &OrderId,
        customer_id: &CustomerId,
    ) -> impl Future<Output = Result<DeliveryCancellation, InvokeError>> + Send;
}
