//! The counter's use cases: load, decide (the [`crate::domain`]), save (the change and its
//! events in one transaction, with the inbox item when a consumed event caused it), and read
//! again and decide again when a concurrent writer won ([`platform::retry::on_conflict`]).
//!
//! - [`list_queue`]: the barista's queue (`GET /deliveries`);
//! - [`move_delivery`]: the barista moves a delivery on (`PATCH /deliveries/{deliveryId}`);
//! - [`cancel_delivery`]: cancel an order's delivery if not started (the order context's
//!   synchronous call, and `OrderCancelled`);
//! - [`issue_waiting_number`]: a placed order gets a delivery with the day's next number
//!   (`OrderPlaced`).
//!
//! Each attempt is boxed (`Box::pin`): the retry, tracing and SDK futures otherwise nest too
//! deep for the compiler's layout queries in the binaries.

use chrono::{DateTime, Utc};
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageLimits, PageRequest};
use platform::retry::{Conflict, on_conflict};
use platform::zone::Zone;

use crate::domain::{
    AlreadyKnown, BusinessDay, CancelError, CustomerId, Delivery, DeliveryEvent, DeliveryId, DeliveryStatus, Intake,
    MoveError, OrderAtCounter, OrderId, Progress, WaitingNumber,
};
use crate::ports::{ConsumedEvents, Deliveries, DeliveryQueue, OrdersAtCounter, WaitingNumbers};

/// Page size of [`list_queue`] (`GET /deliveries`): 100 deliveries without `limit`, at
/// most 500.
pub const QUEUE_LIMIT: PageLimits = PageLimits::new(100, 500);

/// Why the queue could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum ListQueueError {
    /// The page's cursor is not one of this queue, or storage failed.
    #[error(transparent)]
    Page(#[from] PageError),
}

/// One `page` of the deliveries in `status`, oldest first (sized within [`QUEUE_LIMIT`]
/// by the edge).
///
/// # Errors
/// [`ListQueueError::Page`] for a cursor of another queue or a storage failure.
pub async fn list_queue(
    queue: &impl DeliveryQueue,
    status: DeliveryStatus,
    page: &PageRequest,
) -> Result<Page<Delivery>, ListQueueError> {
    Ok(queue.in_status(status, page).await?)
}

/// Why a delivery was not moved; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum MoveDeliveryError {
    /// There is no such delivery.
    #[error("delivery {0} not found")]
    NotFound(DeliveryId),
    /// The domain refused the move (cancelled, or backwards).
    #[error(transparent)]
    Refused(#[from] MoveError),
    /// Other writers kept changing the delivery; every attempt lost.
    #[error("the delivery kept changing; try again")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for MoveDeliveryError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for MoveDeliveryError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// The barista moves delivery `id` to `to`: the delivery and its event (`DeliveryStarted`
/// or `DeliveryCompleted`) are stored together. Where it already is: unchanged, nothing
/// written. Returns the delivery as it now is.
///
/// # Errors
/// [`MoveDeliveryError`]: not found, refused by the domain, contended, storage.
#[tracing::instrument(skip_all, fields(delivery_id = %id, to = %to))]
pub async fn move_delivery(
    deliveries: &impl Deliveries,
    id: &DeliveryId,
    to: Progress,
    now: DateTime<Utc>,
) -> Result<Delivery, MoveDeliveryError> {
    let moved = on_conflict(|| Box::pin(try_move(deliveries, id, to, now))).await?;
    tracing::info!(correlation_id = %moved.order_id(), status = %moved.status(), "delivery moved");
    Ok(moved)
}

/// One read-decide-write of [`move_delivery`].
async fn try_move(
    deliveries: &impl Deliveries,
    id: &DeliveryId,
    to: Progress,
    now: DateTime<Utc>,
) -> Result<Delivery, MoveDeliveryError> {
    let current = deliveries
        .find(id)
        .await
        .map_err(MoveDeliveryError::Storage)?
        .ok_or_else(|| MoveDeliveryError::NotFound(id.clone()))?;
    let (next, events) = current.advance(to, now)?;
    if !events.is_empty() {
        deliveries.save(&next, current.version(), &events, None).await?;
    }
    Ok(next)
}

/// The counter's answer to cancelling an order's delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// The delivery is cancelled, or none will ever be issued.
    Cancelled,
    /// The barista has started (or finished) it: too late.
    AlreadyStarted,
}

/// Why a cancellation was not answered; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum CancelDeliveryError {
    /// Other writers kept changing the order's delivery; every attempt lost.
    #[error("the order's delivery kept changing")]
    Contended,
    /// Storage failed (or holds a record without its delivery).
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

/// Cancels the delivery of `order` (of `customer`) unless the barista has started it. When
/// the order has no delivery yet, records that it was cancelled first, so its late
/// `OrderPlaced` issues none. With `once` (the consumed `OrderCancelled`), the change and the
/// inbox item are written together, and an event that changes nothing is still acknowledged.
///
/// Without `once` (the order context's synchronous call), a change also publishes
/// `DeliveryCancelled` in the same transaction: if the caller gave up waiting (a timeout,
/// 503 to the customer) after this committed, the order context still cancels the order
/// from the event. With `once` nothing is published: the order is cancelled already and
/// said so itself, and an event back would only echo.
///
/// # Errors
/// [`CancelDeliveryError`]: contended, storage.
#[tracing::instrument(skip_all, fields(correlation_id = %order))]
pub async fn cancel_delivery<S>(
    store: &S,
    order: &OrderId,
    customer: &CustomerId,
    once: Option<&EventEnvelope>,
    now: DateTime<Utc>,
) -> Result<Cancellation, CancelDeliveryError>
where
    S: OrdersAtCounter + Deliveries + ConsumedEvents,
{
    let answer = on_conflict(|| Box::pin(try_cancel(store, order, customer, once, now))).await?;
    tracing::info!(?answer, "delivery cancel answered");
    Ok(answer)
}

/// One read-decide-write of [`cancel_delivery`].
async fn try_cancel<S>(
    store: &S,
    order: &OrderId,
    customer: &CustomerId,
    once: Option<&EventEnvelope>,
    now: DateTime<Utc>,
) -> Result<Cancellation, CancelDeliveryError>
where
    S: OrdersAtCounter + Deliveries + ConsumedEvents,
{
    // Announce only what the order context asked for synchronously (see `cancel_delivery`).
    let announced = |events: Vec<DeliveryEvent>| if once.is_some() { Vec::new() } else { events };
    let id = match store.find_order(order).await.map_err(CancelDeliveryError::Storage)? {
        None => {
            let (_, events) = OrderAtCounter::cancel_before_issue(order.clone(), customer.clone());
            store.cancel_before_issue(order, &announced(events), once).await?;
            return Ok(Cancellation::Cancelled);
        }
        Some(OrderAtCounter::CancelledBeforeIssue) => {
            tracing::info!("the order was already recorded as cancelled before issue; nothing to change");
            acknowledge(store, once).await?;
            return Ok(Cancellation::Cancelled);
        }
        Some(OrderAtCounter::Issued(id)) => id,
    };
    let delivery =
        store.find(&id).await.map_err(CancelDeliveryError::Storage)?.ok_or_else(|| {
            CancelDeliveryError::Storage(anyhow::anyhow!("delivery {id} of order {order} is missing"))
        })?;
    match delivery.cancel(now) {
        Ok((next, events)) if !events.is_empty() => {
            store.save(&next, delivery.version(), &announced(events), once).await?;
            Ok(Cancellation::Cancelled)
        }
        Ok(_) => {
            tracing::info!(delivery_id = %id, "the delivery is already cancelled; nothing to change");
            acknowledge(store, once).await?;
            Ok(Cancellation::Cancelled)
        }
        Err(CancelError::AlreadyStarted(_)) => {
            acknowledge(store, once).await?;
            Ok(Cancellation::AlreadyStarted)
        }
    }
}

async fn acknowledge(store: &impl ConsumedEvents, once: Option<&EventEnvelope>) -> Result<(), WriteError> {
    if let Some(event) = once {
        store.acknowledge(event).await?;
    }
    Ok(())
}

/// What [`issue_waiting_number`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueOutcome {
    /// The order got this delivery (and `OrderWaited` is in the outbox).
    Issued(Delivery),
    /// The counter knew the order already: nothing issued, no number taken.
    AlreadyKnown(AlreadyKnown),
    /// This very event was handled before; the number reserved now is skipped.
    AlreadyDone {
        /// The number that was reserved and not used.
        skipped: WaitingNumber,
    },
}

/// Why a waiting number was not issued; nothing changed (a reserved number may be skipped).
#[derive(Debug, thiserror::Error)]
pub enum IssueWaitingNumberError {
    /// Concurrent deliveries of the order kept winning and losing; every attempt lost.
    #[error("the order's delivery kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for IssueWaitingNumberError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for IssueWaitingNumberError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// A placed order (`event`, its `OrderPlaced`) gets a `Waiting` delivery with the next
/// waiting number of the shop's business day at `now` in time zone `zone`, and `OrderWaited`
/// leaves through the outbox, once: a duplicate or late `OrderPlaced`, or an order cancelled
/// before it arrived, issues nothing and takes no number.
///
/// # Errors
/// [`IssueWaitingNumberError`]: contended, storage; the event is then retried.
#[tracing::instrument(skip_all, fields(correlation_id = %order))]
pub async fn issue_waiting_number<S>(
    store: &S,
    order: &OrderId,
    customer: &CustomerId,
    zone: &Zone,
    event: &EventEnvelope,
    now: DateTime<Utc>,
) -> Result<IssueOutcome, IssueWaitingNumberError>
where
    S: OrdersAtCounter + WaitingNumbers + ConsumedEvents,
{
    on_conflict(|| Box::pin(try_issue(store, order, customer, zone, event, now))).await
}

/// One read-decide-write of [`issue_waiting_number`].
async fn try_issue<S>(
    store: &S,
    order: &OrderId,
    customer: &CustomerId,
    zone: &Zone,
    event: &EventEnvelope,
    now: DateTime<Utc>,
) -> Result<IssueOutcome, IssueWaitingNumberError>
where
    S: OrdersAtCounter + WaitingNumbers + ConsumedEvents,
{
    let known = store.find_order(order).await.map_err(IssueWaitingNumberError::Storage)?;
    let intake = match Intake::of(order.clone(), customer.clone(), known.as_ref()) {
        Ok(intake) => intake,
        Err(known) => {
            store.acknowledge(event).await?;
            return Ok(IssueOutcome::AlreadyKnown(known));
        }
    };
    let day = BusinessDay::of(now, zone);
    let number = store.next_number(day).await.map_err(IssueWaitingNumberError::Storage)?;
    let (delivery, events) = intake.issue(number, day, now);
    match store.issue(&delivery, &events, event).await? {
        Applied::Now => Ok(IssueOutcome::Issued(delivery)),
        Applied::AlreadyDone => Ok(IssueOutcome::AlreadyDone { skipped: number }),
    }
}
