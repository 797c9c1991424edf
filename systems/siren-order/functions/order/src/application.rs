//! The order context's use cases: load, decide (the [`Order`] aggregate), save (order +
//! outbox events in one transaction), retrying lost version races. Each has its own error
//! enum; the HTTP edge maps each to a status in one place.

use chrono::Utc;
use platform::auth::Caller;
use platform::dynamo::WriteError;
use platform::idempotency::{Fingerprint, IdempotencyKey, IdempotencyRecord};
use platform::invoke::InvokeError;
use platform::page::{Page, PageError, PageLimits, PageRequest};
use platform::retry::Conflict;

use crate::domain::{CancelError, CustomerId, Order, OrderId, PlaceError, ProductId, RequestedLine};
use crate::ports::{DeliveryCancellation, DeliveryDesk, Orders, ProductPricing};

/// The role of the counter's staff, who may see any order.
pub const BARISTA: &str = "barista";
/// The role of the shop's owner, who may see any order and anyone's list.
pub const OWNER: &str = "owner";
/// Page size of [`list_orders`] (`GET /orders`): 50 orders without `limit`, at most 100.
pub const LIST_LIMIT: PageLimits = PageLimits::new(50, 100);

/// The command of `POST /orders`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOrder {
    /// Who orders (the caller).
    pub customer_id: CustomerId,
    /// The client's idempotency key: a repeat answers the first answer.
    pub key: IdempotencyKey,
    /// What, 1 to [`crate::domain::MAX_LINES`] lines, each product once.
    pub lines: Vec<RequestedLine>,
}

impl PlaceOrder {
    /// The request's meaning, to tell a replay from another request under the same key.
    pub fn fingerprint(&self) -> Fingerprint {
        let lines = self.lines.iter().flat_map(|line| [line.product_id.to_string(), line.quantity.get().to_string()]);
        platform::idempotency::fingerprint(std::iter::once(self.customer_id.to_string()).chain(lines))
    }
}

/// The first answer to a placement as the edge renders it: remembered under the
/// idempotency key, in the same transaction as the order, and answered again to a repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body (JSON).
    pub body: String,
}

/// What [`place_order`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// The order was placed now; `answer` is its first answer.
    New {
        /// The order, `Placed`.
        order: Order,
        /// What was remembered under the key.
        answer: IdempotencyRecord,
    },
    /// The key was used before for this same request (or a concurrent duplicate won the
    /// race): its first answer, and nothing was placed now.
    Replayed(IdempotencyRecord),
}

/// Why [`place_order`] placed nothing.
#[derive(Debug, thiserror::Error)]
pub enum PlaceOrderError {
    /// The domain refused: unknown or sold-out products.
    #[error(transparent)]
    Refused(#[from] PlaceError),
    /// The key was used before for a different request.
    #[error("this Idempotency-Key was already used for a different request")]
    KeyReused,
    /// The product context cannot answer now.
    #[error("the product context cannot answer")]
    Unavailable(#[source] InvokeError),
    /// A concurrent request took the key but its answer cannot be read; retrying helps.
    #[error("a concurrent request with the same key is in the way")]
    Contended,
    /// Storage failed, or the first answer could not be rendered.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Places an order: the first request with a key prices the lines at the product
/// context, stores the order, its first answer (rendered by `answer`) and `OrderPlaced` in
/// one transaction; a repeat of the same request answers that first answer again.
///
/// # Errors
/// [`PlaceOrderError::Refused`] (unknown or sold-out products), [`PlaceOrderError::KeyReused`]
/// (same key, other request), [`PlaceOrderError::Unavailable`] (the product context cannot
/// answer), [`PlaceOrderError::Contended`], [`PlaceOrderError::Storage`]. Nothing is
/// written in any of these cases.
#[tracing::instrument(skip_all, fields(correlation_id))]
pub async fn place_order(
    orders: &impl Orders,
    pricing: &impl ProductPricing,
    command: &PlaceOrder,
    answer: impl FnOnce(&Order) -> anyhow::Result<FirstAnswer>,
) -> Result<Placed, PlaceOrderError> {
    let fingerprint = command.fingerprint();
    if let Some(record) = orders.find_idempotency(&command.customer_id, &command.key).await? {
        return replayed(record, &fingerprint);
    }
    let products: Vec<ProductId> = command.lines.iter().map(|line| line.product_id.clone()).collect();
    let prices = pricing.price(&products).await.map_err(PlaceOrderError::Unavailable)?;
    let (order, events) =
        Order::place(OrderId::generate(), command.customer_id.clone(), &command.lines, &prices, Utc::now())?;
    tracing::Span::current().record("correlation_id", order.id().as_str());
    let first = answer(&order)?;
    let record = IdempotencyRecord {
        fingerprint: fingerprint.clone(),
        resource_id: order.id().to_string(),
        status: first.status,
        response: first.body,
    };
    match orders.place(&order, &command.key, &record, &events).await {
        Ok(()) => {
            tracing::info!(amount = order.amount().get(), "order placed");
            crate::metrics::placed(&order);
            Ok(Placed::New { order, answer: record })
        }
        // A concurrent request with the same key won: answer as it did.
        Err(WriteError::Conflict) => match orders.find_idempotency(&command.customer_id, &command.key).await? {
            Some(record) => replayed(record, &fingerprint),
            None => Err(PlaceOrderError::Contended),
        },
        Err(WriteError::Storage(err)) => Err(PlaceOrderError::Storage(err)),
    }
}

fn replayed(record: IdempotencyRecord, fingerprint: &Fingerprint) -> Result<Placed, PlaceOrderError> {
    if &record.fingerprint != fingerprint {
        return Err(PlaceOrderError::KeyReused);
    }
    tracing::info!(order_id = %record.resource_id, "idempotent replay");
    Ok(Placed::Replayed(record))
}

/// Why [`get_order`] found nothing to show.
#[derive(Debug, thiserror::Error)]
pub enum GetOrderError {
    /// No such order, or not the caller's to see.
    #[error("order {0} not found")]
    NotFound(String),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// The order `id`, for its customer, a barista or the owner.
///
/// # Errors
/// [`GetOrderError::NotFound`] when there is none or the caller may not see it (so nobody
/// learns that another customer's order exists); [`GetOrderError::Storage`].
#[tracing::instrument(skip_all, fields(correlation_id = %id))]
pub async fn get_order(orders: &impl Orders, caller: &Caller, id: &OrderId) -> Result<Order, GetOrderError> {
    let staff = caller.is(BARISTA) || caller.is(OWNER);
    orders
        .find(id)
        .await?
        .filter(|order| staff || order.is_of(&caller.subject))
        .ok_or_else(|| GetOrderError::NotFound(id.to_string()))
}

/// Why [`list_orders`] lists nothing.
#[derive(Debug, thiserror::Error)]
pub enum ListOrdersError {
    /// Another customer's orders, and the caller is not the owner.
    #[error("no orders of customer {0} for you")]
    NotYours(CustomerId),
    /// The page's cursor is not one of this list, or storage failed.
    #[error(transparent)]
    Page(#[from] PageError),
}

/// One `page` of the orders of `customer_id`, newest first (sized within [`LIST_LIMIT`]
/// by the edge): the caller's own, or anyone's for the owner.
///
/// # Errors
/// [`ListOrdersError::NotYours`] for another customer's; [`ListOrdersError::Page`] for a
/// cursor of another list or a storage failure.
#[tracing::instrument(skip_all, fields(customer_id = %customer_id))]
pub async fn list_orders(
    orders: &impl Orders,
    caller: &Caller,
    customer_id: &CustomerId,
    page: &PageRequest,
) -> Result<Page<Order>, ListOrdersError> {
    if customer_id.as_str() != caller.subject && !caller.is(OWNER) {
        return Err(ListOrdersError::NotYours(customer_id.clone()));
    }
    Ok(orders.list_for_customer(customer_id, page).await?)
}

/// Why [`cancel_order`] did not cancel.
#[derive(Debug, thiserror::Error)]
pub enum CancelOrderError {
    /// No such order, or not the caller's.
    #[error("order {0} not found")]
    NotFound(String),
    /// The counter has started (or completed) it.
    #[error(transparent)]
    AlreadyStarted(#[from] CancelError),
    /// The counter cannot answer now.
    #[error("the counter cannot answer")]
    Unavailable(#[source] InvokeError),
    /// The order kept changing under us; retrying helps.
    #[error("the order is changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for CancelOrderError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for CancelOrderError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Cancels the caller's order `id` if the counter agrees (asked synchronously first), and
/// stores it with `OrderCancelled`. Cancelling a cancelled order answers it again.
///
/// # Errors
/// [`CancelOrderError::NotFound`] when there is none or it is another customer's;
/// [`CancelOrderError::AlreadyStarted`] when the order or the counter says it is too late;
/// [`CancelOrderError::Unavailable`] when the counter cannot answer;
/// [`CancelOrderError::Contended`] after too many lost version races;
/// [`CancelOrderError::Storage`].
#[tracing::instrument(skip_all, fields(correlation_id = %id))]
pub async fn cancel_order(
    orders: &impl Orders,
    desk: &impl DeliveryDesk,
    caller: &Caller,
    id: &OrderId,
) -> Result<Order, CancelOrderError> {
    let not_found = || CancelOrderError::NotFound(id.to_string());
    let order = orders.find(id).await?.filter(|order| order.is_of(&caller.subject)).ok_or_else(not_found)?;
    // Decide before asking the counter: a refusal or a repeat needs no call.
    if order.cancel(Utc::now())?.1.is_empty() {
        return Ok(order);
    }
    // A timeout here may still have cancelled at the counter: the customer gets 503, and the
    // counter's `DeliveryCancelled` cancels the order (`policies::follow_delivery`).
    match desk.cancel(id, order.customer_id()).await.map_err(CancelOrderError::Unavailable)? {
        DeliveryCancellation::AlreadyStarted => return Err(CancelError::AlreadyStarted.into()),
        DeliveryCancellation::Cancelled => {}
    }
    let (cancelled, now) = platform::retry::on_conflict(|| async {
        let current = orders.find(id).await?.ok_or_else(not_found)?;
        let (next, events) = current.cancel(Utc::now())?;
        if !events.is_empty() {
            orders.save(&next, current.version(), &events).await?;
        }
        Ok::<_, CancelOrderError>((next, !events.is_empty()))
    })
    .await?;
    tracing::info!("order cancelled");
    if now {
        crate::metrics::cancelled();
    }
    Ok(cancelled)
}
