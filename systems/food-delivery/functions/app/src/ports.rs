//! What the use cases need from the world, as narrow traits: the menu ([`Menu`]), the orders'
//! storage ([`Orders`]), pay ([`Pay`]) and the store's consent to cancel ([`StoreDesk`]). No
//! AWS type crosses them; the adapters are [`crate::store::DynamoApp`] and [`crate::calls`].
//!
//! Error contract of every write: [`WriteError::Conflict`] when a condition failed (another
//! writer got there first; nothing was written; read again and decide again),
//! [`WriteError::Storage`] otherwise (nothing was written; retry later).

use std::future::Future;

use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::{CustomerId, ItemName, MenuItem, Order, OrderEvent, OrderId, PaymentId};

/// The store owner's menu.
pub trait Menu {
    /// The item `name`, read consistently; `None` when there is none.
    ///
    /// # Errors
    /// When storage fails or the stored item is unreadable.
    fn find_item(&self, name: &ItemName) -> impl Future<Output = anyhow::Result<Option<MenuItem>>> + Send;

    /// One `page` of the items on sale, by name.
    ///
    /// # Errors
    /// [`PageError`]: a cursor of another list, or storage failing.
    fn on_sale(&self, page: &PageRequest) -> impl Future<Output = Result<Page<MenuItem>, PageError>> + Send;

    /// Stores a new item.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when an item of that name exists.
    fn add(&self, item: &MenuItem) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a changed item if the stored one is still at `expected_version`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs.
    fn save_item(&self, item: &MenuItem, expected_version: u64) -> impl Future<Output = Result<(), WriteError>> + Send;
}

/// Storage of orders, the first answers of `POST /orders`, and the events orders produce
/// (outbox).
pub trait Orders {
    /// The order `id`, read consistently; `None` when there is none.
    ///
    /// # Errors
    /// When storage fails or the stored order is unreadable.
    fn find(&self, id: &OrderId) -> impl Future<Output = anyhow::Result<Option<Order>>> + Send;

    /// One `page` of `customer_id`'s orders, newest first.
    ///
    /// # Errors
    /// [`PageError`].
    fn of_customer(
        &self,
        customer_id: &CustomerId,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Order>, PageError>> + Send;

    /// The first answer kept for `key` of `customer_id`; `None` when the key is new.
    ///
    /// # Errors
    /// When storage fails or the record is unreadable.
    fn find_idempotency(
        &self,
        customer_id: &CustomerId,
        key: &IdempotencyKey,
    ) -> impl Future<Output = anyhow::Result<Option<IdempotencyRecord>>> + Send;

    /// Remembers `record` as the first answer under `key` of `customer_id` (a refusal's).
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the key has an answer already.
    fn remember(
        &self,
        customer_id: &CustomerId,
        key: &IdempotencyKey,
        record: &IdempotencyRecord,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a new order (`PaymentPending`; no events).
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the id is taken.
    fn begin(&self, order: &Order) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a changed order if the stored one is still at `expected_version`, with `events`
    /// and, when given, the first answer under an idempotency key (new), all or nothing.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs or the key has an answer.
    fn save(
        &self,
        order: &Order,
        expected_version: u64,
        events: &[OrderEvent],
        answer: Option<(&IdempotencyKey, &IdempotencyRecord)>,
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

/// Pay's verdict on a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payment {
    /// Approved: the order is paid.
    Approved(PaymentId),
    /// Refused: the order's payment was abandoned or cancelled already.
    Refused,
}

/// Pay (결제), a synchronous call behind a shared circuit breaker.
pub trait Pay {
    /// Whether a call may be tried now: `false` while the breaker is open (the order is then
    /// refused at once, and nothing is written).
    fn available(&self) -> impl Future<Output = bool> + Send;

    /// Pays `amount` for `order_id` of `customer_id` (idempotent by `order_id`).
    ///
    /// # Errors
    /// [`InvokeError`] when pay cannot answer in time: breaker open, timeout, failure. After a
    /// timeout the payment may still complete; the caller then abandons it by event.
    fn pay(
        &self,
        order_id: &OrderId,
        customer_id: &CustomerId,
        amount: Won,
    ) -> impl Future<Output = Result<Payment, InvokeError>> + Send;
}

/// The store's answer to a cancel request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreCancellation {
    /// The store order is cancelled, or will never be cooked.
    Cancelled,
    /// Cooking has started (or the delivery left): too late.
    TooLate,
}

/// The store's consent to cancel (the store context, a synchronous call).
pub trait StoreDesk {
    /// Asks the store to cancel `order_id` (ordered by `customer_id`).
    ///
    /// # Errors
    /// [`InvokeError`] when it cannot answer. After a timeout the store may still have
    /// cancelled; it then says so with `StoreOrderCancelled`, which
    /// [`crate::policies::follow_events`] applies.
    fn cancel(
        &self,
        order_id: &OrderId,
        customer_id: &CustomerId,
    ) -> impl Future<Output = Result<StoreCancellation, InvokeError>> + Send;
}
