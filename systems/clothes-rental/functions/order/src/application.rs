//! The order context's use cases: load, decide (the [`Order`] aggregate), save (order +
//! outbox events in one transaction), retrying lost version races
//! ([`platform::retry::on_conflict`]). Each has its own error enum; the HTTP edge maps each to
//! a status in one place.

use chrono::Utc;
use platform::EventEnvelope;
use platform::auth::Caller;
use platform::dynamo::WriteError;
use platform::idempotency::{Fingerprint, IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;
use platform::retry::{Conflict, on_conflict};

use crate::domain::{
    CancelError, CustomerId, DeliveryFact, Order, OrderId, OrderStatus, ProductId, Quantity, ReturnError,
};
use crate::ports::{DeliveryCancellation, DeliveryDesk, Orders};

/// The delivery team's group (the token's groups claim): it may read any order.
pub const DELIVERY_TEAM: &str = "deliveryTeam";

/// The command of `POST /orders`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOrder {
    /// Who orders (the caller).
    pub customer_id: CustomerId,
    /// The client's idempotency key: a repeat answers the first answer.
    pub key: IdempotencyKey,
    /// What.
    pub product_id: ProductId,
    /// How many.
    pub qty: Quantity,
}

impl PlaceOrder {
    /// The request's meaning, to tell a replay from another request under the same key.
    pub fn fingerprint(&self) -> Fingerprint {
        platform::idempotency::fingerprint([
            self.customer_id.to_string(),
            self.product_id.to_string(),
            self.qty.get().to_string(),
        ])
    }
}

/// The first answer to a placement as the edge renders it: remembered under the idempotency
/// key, in the same transaction as the order, and answered again to a repeat.
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
        /// The order, `Ordered`.
        order: Order,
        /// What was remembered under the key.
        answer: IdempotencyRecord,
    },
    /// The key was used before for this same request (or a concurrent duplicate won): its
    /// first answer, and nothing was placed now.
    Replayed(IdempotencyRecord),
}

/// Why [`place_order`] placed nothing.
#[derive(Debug, thiserror::Error)]
pub enum PlaceOrderError {
    /// The key was used before for a different request.
    #[error("this Idempotency-Key was already used for a different request")]
    KeyReused,
    /// A concurrent request took the key but its answer cannot be read; retrying helps.
    #[error("a concurrent request with the same key is in the way")]
    Contended,
    /// Storage failed, or the first answer could not be rendered.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Places an order: the first request with a key stores the order, its first answer
/// (rendered by `answer`) and `OrderPlaced` in one transaction; a repeat of the same request
/// answers that first answer again. Orders are taken even when delivery is down: it reads
/// `OrderPlaced` from its queue when it is back.
///
/// # Errors
/// [`PlaceOrderError`]; nothing is written.
#[tracing::instrument(skip_all, fields(correlation_id))]
pub async fn place_order(
    orders: &impl Orders,
    command: &PlaceOrder,
    answer: impl FnOnce(&Order) -> anyhow::Result<FirstAnswer>,
) -> Result<Placed, PlaceOrderError> {
    let fingerprint = command.fingerprint();
    if let Some(record) = orders.find_idempotency(&command.customer_id, &command.key).await? {
        return replayed(record, &fingerprint);
    }
    let (order, events) = Order::place(
        OrderId::generate(),
        command.customer_id.clone(),
        command.product_id.clone(),
        command.qty,
        Utc::now(),
    );
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
            tracing::info!("order placed");
            crate::metrics::placed();
            Ok(Placed::New { order, answer: record })
        }
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
    NotFound(OrderId),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// The order `id`, for its customer or the delivery team.
///
/// # Errors
/// [`GetOrderError::NotFound`] when there is none or the caller may not see it (so nobody
/// learns that another customer's order exists); [`GetOrderError::Storage`].
#[tracing::instrument(skip_all, fields(correlation_id = %id))]
pub async fn get_order(orders: &impl Orders, caller: &Caller, id: &OrderId) -> Result<Order, GetOrderError> {
    let team = caller.is(DELIVERY_TEAM);
    orders
        .find(id)
        .await?
        .filter(|order| team || order.is_of(&caller.subject))
        .ok_or_else(|| GetOrderError::NotFound(id.clone()))
}

/// Why a customer's change of an order (cancel, return) did not happen; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum ChangeOrderError {
    /// No such order, or not the caller's.
    #[error("order {0} not found")]
    NotFound(OrderId),
    /// Too late to cancel: it shipped (the order's status, or delivery's answer).
    #[error(transparent)]
    TooLate(#[from] CancelError),
    /// Only a shipped order can be returned.
    #[error(transparent)]
    NotShipped(#[from] ReturnError),
    /// Delivery cannot answer now.
    #[error("delivery cannot answer")]
    Unavailable(#[source] InvokeError),
    /// The order kept changing under us; retrying helps.
    #[error("the order is changing; try again")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for ChangeOrderError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for ChangeOrderError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// The caller's order `id`; another customer's is not found.
async fn own_order(orders: &impl Orders, caller: &Caller, id: &OrderId) -> Result<Order, ChangeOrderError> {
    orders
        .find(id)
        .await?
        .filter(|order| order.is_of(&caller.subject))
        .ok_or_else(|| ChangeOrderError::NotFound(id.clone()))
}

/// Cancels the caller's order `id` (FR 6-7): delivery is asked first, synchronously, and
/// only its yes cancels the order, stored with `OrderCancelled`. Cancelling a cancelled order
/// answers it again without asking anyone.
///
/// # Errors
/// [`ChangeOrderError::NotFound`], [`ChangeOrderError::TooLate`] (the order or delivery says
/// it shipped), [`ChangeOrderError::Unavailable`] (delivery cannot answer in time: the order
/// stays `Ordered`; delivery's `DeliveryCancelled` cancels it later if the call did
/// complete), [`ChangeOrderError::Contended`], [`ChangeOrderError::Storage`].
#[tracing::instrument(skip_all, fields(correlation_id = %id))]
pub async fn cancel_order(
    orders: &impl Orders,
    desk: &impl DeliveryDesk,
    caller: &Caller,
    id: &OrderId,
) -> Result<Order, ChangeOrderError> {
    let order = own_order(orders, caller, id).await?;
    // Decide before asking delivery: a refusal or a repeat needs no call.
    if order.cancel(Utc::now())?.1.is_empty() {
        return Ok(order);
    }
    match desk.cancel(id, order.customer_id()).await.map_err(ChangeOrderError::Unavailable)? {
        DeliveryCancellation::Shipped => return Err(CancelError::TooLate(OrderStatus::Shipped).into()),
        DeliveryCancellation::Cancelled => {}
    }
    let (cancelled, changed) = on_conflict(|| async {
        let current = own_order(orders, caller, id).await?;
        let (next, events) = current.cancel(Utc::now())?;
        if !events.is_empty() {
            orders.save(&next, current.version(), &events).await?;
        }
        Ok::<_, ChangeOrderError>((next, !events.is_empty()))
    })
    .await?;
    if changed {
        tracing::info!("order cancelled");
        crate::metrics::cancelled();
    }
    Ok(cancelled)
}

/// Asks to return the caller's shipped order `id` (FR 4): stored `ReturnRequested` with the
/// event that makes the delivery team's return ticket (FR 5). Asking again answers the same.
///
/// # Errors
/// [`ChangeOrderError::NotFound`], [`ChangeOrderError::NotShipped`],
/// [`ChangeOrderError::Contended`], [`ChangeOrderError::Storage`].
#[tracing::instrument(skip_all, fields(correlation_id = %id))]
pub async fn request_return(orders: &impl Orders, caller: &Caller, id: &OrderId) -> Result<Order, ChangeOrderError> {
    let (order, changed) = on_conflict(|| async {
        let current = own_order(orders, caller, id).await?;
        let (next, events) = current.request_return(Utc::now())?;
        if !events.is_empty() {
            orders.save(&next, current.version(), &events).await?;
        }
        Ok::<_, ChangeOrderError>((next, !events.is_empty()))
    })
    .await?;
    if changed {
        tracing::info!("return requested");
        crate::metrics::return_requested();
    }
    Ok(order)
}

/// What [`follow_delivery`] did with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// The order moved to this status.
    Moved(OrderStatus),
    /// The order had moved past this event (late, repeated or stale): nothing written.
    Unchanged,
    /// The inbox had this event already: nothing written.
    Duplicate,
}

/// Why [`follow_delivery`] did not apply an event; the message is retried, then dead-lettered.
#[derive(Debug, thiserror::Error)]
pub enum FollowDeliveryError {
    /// No such order. It is stored before its `OrderPlaced` leaves, so a delivery of an
    /// unknown order is not ours: failing keeps it in the dead-letter queue for a look.
    #[error("order {0} not found")]
    UnknownOrder(OrderId),
    /// The order kept changing under us.
    #[error("the order kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for FollowDeliveryError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for FollowDeliveryError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Applies what delivery told (`fact`, from the consumed event `cause`) to order `id`, once:
/// the order and any event it says (`OrderCancelled` on reconciliation) are written with the
/// inbox item of `cause`.
///
/// # Errors
/// [`FollowDeliveryError`].
#[tracing::instrument(skip_all, fields(correlation_id = %id, ?fact))]
pub async fn follow_delivery(
    orders: &impl Orders,
    id: &OrderId,
    fact: DeliveryFact,
    cause: &EventEnvelope,
) -> Result<Followed, FollowDeliveryError> {
    on_conflict(|| async {
        let order = orders.find(id).await?.ok_or_else(|| FollowDeliveryError::UnknownOrder(id.clone()))?;
        let now = Utc::now();
        let Some((next, events)) = order.follow(fact, now) else {
            return Ok(Followed::Unchanged);
        };
        Ok(match orders.save_once(cause, &next, order.version(), &events).await? {
            Applied::Now => {
                crate::metrics::followed(&next, now);
                Followed::Moved(next.status())
            }
            Applied::AlreadyDone => Followed::Duplicate,
        })
    })
    .await
}
