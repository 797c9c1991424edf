//! The delivery team's use cases: load, decide (the [`crate::domain`]), save (the change and
//! its events in one transaction, with the inbox item when a consumed event caused it), and
//! read again and decide again when a concurrent writer won ([`on_conflict`]).
//!
//! - [`list_queue`]: the team's work queue (`GET /deliveries`);
//! - [`ship`] and [`collect`]: the team's commands;
//! - [`cancel_delivery`]: the order context's synchronous cancel;
//! - [`receive`]: a placed order or a return request becomes a ticket (once).

use chrono::{DateTime, Utc};
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageLimits, PageRequest};
use platform::retry::{Conflict, on_conflict};

use crate::domain::{
    AlreadyKnown, CancelRefused, CollectError, CustomerId, Delivery, DeliveryId, DeliveryStatus, Intake, Kind,
    OrderAtDesk, OrderId, ProductId, Quantity, ShipError,
};
use crate::ports::{ConsumedEvents, Deliveries, DeliveryQueue, OrdersAtDesk};

/// The delivery team's group (the token's groups claim): the only callers of its routes.
pub const DELIVERY_TEAM: &str = "deliveryTeam";

/// Page size of [`list_queue`] (`GET /deliveries`): 100 tickets without `limit`, at most 500.
pub const QUEUE_LIMIT: PageLimits = PageLimits::new(100, 500);

/// One `page` of the tickets of `kind` in `status`, oldest first.
///
/// # Errors
/// [`PageError`] for a cursor of another queue or a storage failure.
pub async fn list_queue(
    queue: &impl DeliveryQueue,
    kind: Kind,
    status: DeliveryStatus,
    page: &PageRequest,
) -> Result<Page<Delivery>, PageError> {
    queue.in_queue(kind, status, page).await
}

/// What the team asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Ship a delivery (FR 3).
    Ship,
    /// Collect a return.
    Collect,
}

/// Why the team's command changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum TeamCommandError {
    /// There is no such ticket.
    #[error("delivery {0} not found")]
    NotFound(DeliveryId),
    /// Shipping refused: cancelled, shipped already, or a return.
    #[error(transparent)]
    Ship(#[from] ShipError),
    /// Collecting refused: collected already, or not a return.
    #[error(transparent)]
    Collect(#[from] CollectError),
    /// Other writers kept changing the ticket; every attempt lost.
    #[error("the delivery kept changing; try again")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for TeamCommandError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for TeamCommandError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// The team ships (`Ship`) or collects (`Collect`) ticket `id`: the ticket and its event
/// (`Shipped` or `ReturnCollected`) are stored together, conditional on the version read, so a
/// concurrent cancel and ship cannot both win. Returns the ticket as it now is.
///
/// # Errors
/// [`TeamCommandError`].
#[tracing::instrument(skip_all, fields(delivery_id = %id, ?command))]
pub async fn run(
    deliveries: &impl Deliveries,
    id: &DeliveryId,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Delivery, TeamCommandError> {
    let done = on_conflict(|| {
        Box::pin(async move {
            let current = deliveries
                .find(id)
                .await
                .map_err(TeamCommandError::Storage)?
                .ok_or_else(|| TeamCommandError::NotFound(id.clone()))?;
            let (next, events) = match command {
                Command::Ship => current.ship(now)?,
                Command::Collect => current.collect(now)?,
            };
            deliveries.save(&next, current.version(), &events).await?;
            Ok::<_, TeamCommandError>(next)
        })
    })
    .await?;
    tracing::info!(correlation_id = %done.order_id(), status = %done.status(), "ticket moved");
    platform::metrics::count(
        match command {
            Command::Ship => crate::metrics::DELIVERIES_SHIPPED,
            Command::Collect => crate::metrics::RETURNS_COLLECTED,
        },
        1,
    );
    Ok(done)
}

/// Ships ticket `id` (FR 3). See [`run`].
///
/// # Errors
/// [`TeamCommandError`].
pub async fn ship(deliveries: &impl Deliveries, id: &DeliveryId) -> Result<Delivery, TeamCommandError> {
    run(deliveries, id, Command::Ship, Utc::now()).await
}

/// Collects return ticket `id`. See [`run`].
///
/// # Errors
/// [`TeamCommandError`].
pub async fn collect(deliveries: &impl Deliveries, id: &DeliveryId) -> Result<Delivery, TeamCommandError> {
    run(deliveries, id, Command::Collect, Utc::now()).await
}

/// Delivery's answer to a cancel request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// The delivery is cancelled, or none will ever be made.
    Cancelled,
    /// The clothes have shipped: too late.
    Shipped,
}

/// Why a cancellation was not answered; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum CancelDeliveryError {
    /// Other writers kept changing the order's ticket; every attempt lost.
    #[error("the order's delivery kept changing")]
    Contended,
    /// Storage failed (or holds a record without its ticket).
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for CancelDeliveryError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for CancelDeliveryError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Cancels the delivery of `order` (of `customer`) unless it shipped (FR 6-7): a `Received`
/// ticket becomes `Cancelled`; with no ticket yet, a tombstone keeps the late `OrderPlaced`
/// from making one. A change publishes `DeliveryCancelled` in the same transaction, so the
/// order learns of it even when the caller gave up waiting. Idempotent: asking twice answers
/// the same and changes nothing more.
///
/// # Errors
/// [`CancelDeliveryError`].
#[tracing::instrument(skip_all, fields(correlation_id = %order))]
pub async fn cancel_delivery<S>(
    store: &S,
    order: &OrderId,
    customer: &CustomerId,
    now: DateTime<Utc>,
) -> Result<Cancellation, CancelDeliveryError>
where
    S: OrdersAtDesk + Deliveries,
{
    let answer = on_conflict(|| Box::pin(try_cancel(store, order, customer, now))).await?;
    tracing::info!(?answer, "delivery cancel answered");
    Ok(answer)
}

async fn try_cancel<S>(
    store: &S,
    order: &OrderId,
    customer: &CustomerId,
    now: DateTime<Utc>,
) -> Result<Cancellation, CancelDeliveryError>
where
    S: OrdersAtDesk + Deliveries,
{
    let id = match store.find_order(order, Kind::Delivery).await.map_err(CancelDeliveryError::Storage)? {
        None => {
            let (_, events) = OrderAtDesk::tombstone(order.clone(), customer.clone());
            store.tombstone(order, customer, &events).await?;
            platform::metrics::count(crate::metrics::DELIVERIES_CANCELLED, 1);
            return Ok(Cancellation::Cancelled);
        }
        Some(OrderAtDesk::Tombstone) => return Ok(Cancellation::Cancelled),
        Some(OrderAtDesk::Ticketed(id)) => id,
    };
    let ticket = store
        .find(&id)
        .await
        .map_err(CancelDeliveryError::Storage)?
        .ok_or_else(|| CancelDeliveryError::Storage(anyhow::anyhow!("ticket {id} of order {order} is missing")))?;
    match ticket.cancel(now) {
        Ok((next, events)) if !events.is_empty() => {
            store.save(&next, ticket.version(), &events).await?;
            platform::metrics::count(crate::metrics::DELIVERIES_CANCELLED, 1);
            Ok(Cancellation::Cancelled)
        }
        Ok(_) => Ok(Cancellation::Cancelled),
        Err(CancelRefused::Shipped) => Ok(Cancellation::Shipped),
    }
}

/// What [`receive`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// The order got this ticket.
    Opened(Delivery),
    /// The team knew the order already (a ticket of the kind, or a tombstone): nothing made.
    AlreadyKnown(AlreadyKnown),
    /// This very event was handled before.
    AlreadyDone,
}

/// Why a ticket was not made; nothing changed and the event is retried.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// Concurrent writers kept winning; every attempt lost.
    #[error("the order's ticket kept changing")]
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

/// What an order event asks the team for: a ticket of `kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `Delivery` (from `OrderPlaced`) or `Return` (from `ReturnRequested`).
    pub kind: Kind,
    /// The order.
    pub order_id: OrderId,
    /// Who ordered.
    pub customer_id: CustomerId,
    /// What.
    pub product_id: ProductId,
    /// How many.
    pub qty: Quantity,
}

/// The order event `event` (`OrderPlaced` or `ReturnRequested`) makes its ticket, once: a
/// duplicate or late event, or an order cancelled before its `OrderPlaced` arrived, makes
/// nothing.
///
/// # Errors
/// [`ReceiveError`]; the event is then retried.
#[tracing::instrument(skip_all, fields(correlation_id = %request.order_id, kind = %request.kind))]
pub async fn receive<S>(
    store: &S,
    request: &Request,
    event: &EventEnvelope,
    now: DateTime<Utc>,
) -> Result<Received, ReceiveError>
where
    S: OrdersAtDesk + ConsumedEvents,
{
    on_conflict(|| {
        Box::pin(async move {
            let known = store.find_order(&request.order_id, request.kind).await.map_err(ReceiveError::Storage)?;
            let intake = match Intake::of(
                request.kind,
                request.order_id.clone(),
                request.customer_id.clone(),
                request.product_id.clone(),
                request.qty,
                known.as_ref(),
            ) {
                Ok(intake) => intake,
                Err(known) => {
                    store.acknowledge(event).await?;
                    return Ok(Received::AlreadyKnown(known));
                }
            };
            let ticket = intake.open(now);
            Ok(match store.open(&ticket, event).await? {
                Applied::Now => Received::Opened(ticket),
                Applied::AlreadyDone => Received::AlreadyDone,
            })
        })
    })
    .await
}
