//! The store's use cases: load, decide (the [`crate::domain`]), save (the change and its
//! events in one transaction, with the inbox item when a consumed event caused it), and read
//! again and decide again when a concurrent writer won ([`on_conflict`]).
//!
//! - [`kitchen_queue`]: `GET /store/orders`;
//! - [`move_order`]: `PATCH /store/orders/{orderId}` (Cooking, Dispatched);
//! - [`cancel`]: the app's synchronous cancel;
//! - [`receive`]: a paid order becomes a store order (once).

use chrono::{DateTime, Utc};
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageLimits, PageRequest};
use platform::retry::{Conflict, on_conflict};

use crate::domain::{CancelRefused, CustomerId, Desk, MoveError, OrderId, StoreOrder, StoreStatus, tombstone_events};
use crate::ports::{KitchenQueue, StoreOrders};

/// The store's group (the token's groups claim): the only callers of its routes.
pub const STORE: &str = "store";

/// Page size of the kitchen queue: 100 store orders without `limit`, at most 500.
pub const QUEUE_LIMIT: PageLimits = PageLimits::new(100, 500);

/// Business metrics (EMF, `Service` = `store`): store orders received, cooking started,
/// deliveries dispatched, store orders cancelled (each a count).
pub mod metrics {
    /// Store orders received (count).
    pub const RECEIVED: &str = "StoreOrdersReceived";
    /// Cooking started (count).
    pub const COOKING_STARTED: &str = "CookingStarted";
    /// Deliveries dispatched (count).
    pub const DISPATCHED: &str = "DeliveriesDispatched";
    /// Store orders cancelled, tombstones included (count).
    pub const CANCELLED: &str = "StoreOrdersCancelled";
}

/// One `page` of the store orders in `status`, oldest first.
///
/// # Errors
/// [`PageError`].
pub async fn kitchen_queue(
    queue: &impl KitchenQueue,
    status: StoreStatus,
    page: &PageRequest,
) -> Result<Page<StoreOrder>, PageError> {
    queue.in_status(status, page).await
}

/// Why a store command changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum MoveOrderError {
    /// No store order of this id (or only a tombstone).
    #[error("store order {0} not found")]
    NotFound(OrderId),
    /// Out of order, or cancelled.
    #[error(transparent)]
    Refused(#[from] MoveError),
    /// Other writers kept changing it.
    #[error("the store order kept changing; try again")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for MoveOrderError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for MoveOrderError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Moves store order `id` to `to` (FR 4): stored with its event, conditional on the version
/// read, so a concurrent cancel and start cannot both win.
///
/// # Errors
/// [`MoveOrderError`].
#[tracing::instrument(skip_all, fields(correlation_id = %id, %to))]
pub async fn move_order(
    orders: &impl StoreOrders,
    id: &OrderId,
    to: StoreStatus,
    now: DateTime<Utc>,
) -> Result<StoreOrder, MoveOrderError> {
    let (order, changed) = on_conflict(|| {
        Box::pin(async move {
            let current = match orders.find(id).await.map_err(MoveOrderError::Storage)? {
                Some(Desk::Order(order)) => order,
                Some(Desk::Tombstone) | None => return Err(MoveOrderError::NotFound(id.clone())),
            };
            let (next, events) = current.move_to(to, now)?;
            if !events.is_empty() {
                orders.save(&next, current.version, &events).await?;
            }
            Ok::<_, MoveOrderError>((next, !events.is_empty()))
        })
    })
    .await?;
    if changed {
        tracing::info!(status = %order.status, "store order moved");
        platform::metrics::count(
            if order.status == StoreStatus::Cooking { metrics::COOKING_STARTED } else { metrics::DISPATCHED },
            1,
        );
    }
    Ok(order)
}

/// The store's answer to a cancel request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// Cancelled, or will never be cooked.
    Cancelled,
    /// Too late.
    Refused(CancelRefused),
}

/// Why a cancellation was not answered; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    /// Other writers kept changing the order's entry.
    #[error("the store order kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for CancelError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for CancelError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Cancels `order` (of `customer`) unless cooking started (FR 6): a `Received` store order
/// becomes `Cancelled`; with none yet, a tombstone keeps the late `OrderPlaced` from making
/// one. A change publishes `StoreOrderCancelled` in the same transaction, so the app learns
/// of it even when it gave up waiting. Idempotent.
///
/// # Errors
/// [`CancelError`].
#[tracing::instrument(skip_all, fields(correlation_id = %order))]
pub async fn cancel(
    orders: &impl StoreOrders,
    order: &OrderId,
    customer: &CustomerId,
    now: DateTime<Utc>,
) -> Result<Cancellation, CancelError> {
    let answer = on_conflict(|| {
        Box::pin(async move {
            let current = match orders.find(order).await.map_err(CancelError::Storage)? {
                None => {
                    orders.tombstone(order, customer, &tombstone_events(order, customer)).await?;
                    platform::metrics::count(metrics::CANCELLED, 1);
                    return Ok(Cancellation::Cancelled);
                }
                Some(Desk::Tombstone) => return Ok(Cancellation::Cancelled),
                Some(Desk::Order(current)) => current,
            };
            match current.cancel(now) {
                Ok((next, events)) => {
                    if !events.is_empty() {
                        orders.save(&next, current.version, &events).await?;
                        platform::metrics::count(metrics::CANCELLED, 1);
                    }
                    Ok::<_, CancelError>(Cancellation::Cancelled)
                }
                Err(refused) => Ok(Cancellation::Refused(refused)),
            }
        })
    })
    .await?;
    tracing::info!(?answer, "store cancel answered");
    Ok(answer)
}

/// What [`receive`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// The order is in the kitchen queue now.
    Received(StoreOrder),
    /// The store knew the order already (its store order, or a tombstone): nothing made.
    Known,
    /// This very event was handled before.
    AlreadyDone,
}

/// Why a store order was not made; nothing changed and the event is retried.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// Concurrent writers kept winning.
    #[error("the order's entry kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for ReceiveError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for ReceiveError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// `OrderPlaced` (event `event`) makes its `Received` store order, once (FR 3): a duplicate
/// or late event, or an order cancelled before it arrived, makes nothing.
///
/// # Errors
/// [`ReceiveError`]; the event is then retried.
#[tracing::instrument(skip_all, fields(correlation_id = %order.order_id))]
pub async fn receive(
    orders: &impl StoreOrders,
    order: &StoreOrder,
    event: &EventEnvelope,
) -> Result<Received, ReceiveError> {
    let received = on_conflict(|| {
        Box::pin(async move {
            if orders.find(&order.order_id).await.map_err(ReceiveError::Storage)?.is_some() {
                orders.acknowledge(event).await?;
                return Ok::<_, ReceiveError>(Received::Known);
            }
            Ok(match orders.receive(order, event).await? {
                Applied::Now => Received::Received(order.clone()),
                Applied::AlreadyDone => Received::AlreadyDone,
            })
        })
    })
    .await?;
    if matches!(received, Received::Received(_)) {
        platform::metrics::count(metrics::RECEIVED, 1);
    }
    Ok(received)
}
