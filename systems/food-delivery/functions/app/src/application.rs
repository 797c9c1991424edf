//! The app context's use cases: load, decide (the [`crate::domain`] aggregates), save (the
//! change and its outbox events in one transaction), retrying lost version races
//! ([`platform::retry::on_conflict`]). Each has its own error enum; the HTTP edge maps each to
//! a status in one place.

use chrono::{TimeDelta, Utc};
use platform::EventEnvelope;
use platform::Won;
use platform::auth::Caller;
use platform::dynamo::WriteError;
use platform::idempotency::{Fingerprint, IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;
use platform::page::{Page, PageError, PageLimits, PageRequest};
use platform::retry::{Conflict, on_conflict};

use crate::domain::{
    CancelError, CustomerId, ItemName, MenuItem, MenuStatus, Order, OrderId, OrderStatus, Quantity, StoreFact,
    Unorderable,
};
use crate::ports::{Menu, Orders, Pay, Payment, StoreCancellation, StoreDesk};

/// The store's group (the token's groups claim): it keeps the menu and may read any order.
pub const STORE: &str = "store";

/// Page size of `GET /orders`: 50 orders without `limit`, at most 100.
pub const ORDERS_LIMIT: PageLimits = PageLimits::new(50, 100);

/// Page sizes of `GET /menu`: 100 items by default, at most 500.
pub const MENU_LIMIT: PageLimits = PageLimits::new(100, 500);

/// One `page` of the menu: the items on sale, by name.
///
/// # Errors
/// [`PageError`].
pub async fn menu_page(menu: &impl Menu, page: &PageRequest) -> Result<Page<MenuItem>, PageError> {
    menu.on_sale(page).await
}

/// Why [`add_item`] added nothing.
#[derive(Debug, thiserror::Error)]
pub enum AddItemError {
    /// An item of this name exists.
    #[error("{0} is on the menu already")]
    Exists(ItemName),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Adds `name` at `price` to the menu, `OnSale`.
///
/// # Errors
/// [`AddItemError::Exists`], [`AddItemError::Storage`].
pub async fn add_item(menu: &impl Menu, name: ItemName, price: Won) -> Result<MenuItem, AddItemError> {
    let item = MenuItem::add(name, price);
    match menu.add(&item).await {
        Ok(()) => Ok(item),
        Err(WriteError::Conflict) => Err(AddItemError::Exists(item.name)),
        Err(WriteError::Storage(err)) => Err(AddItemError::Storage(err)),
    }
}

/// Why [`change_item`] changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ChangeItemError {
    /// No such item.
    #[error("{0} is not on the menu")]
    NotFound(ItemName),
    /// The item kept changing under us; retrying helps.
    #[error("the item is changing; try again")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for ChangeItemError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for ChangeItemError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Changes the price and/or the status of item `name` (each left as is when `None`).
///
/// # Errors
/// [`ChangeItemError::NotFound`], [`ChangeItemError::Contended`], [`ChangeItemError::Storage`].
pub async fn change_item(
    menu: &impl Menu,
    name: &ItemName,
    price: Option<Won>,
    status: Option<MenuStatus>,
) -> Result<MenuItem, ChangeItemError> {
    on_conflict(|| async {
        let current = menu.find_item(name).await?.ok_or_else(|| ChangeItemError::NotFound(name.clone()))?;
        let next = current.change(price, status);
        if next != current {
            menu.save_item(&next, current.version).await?;
        }
        Ok(next)
    })
    .await
}

/// The command of `POST /orders`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOrder {
    /// Who orders (the caller).
    pub customer_id: CustomerId,
    /// The client's idempotency key, if it sent one: a repeat answers the first answer.
    pub key: Option<IdempotencyKey>,
    /// What.
    pub item: ItemName,
    /// How many (1 when the body gives none).
    pub quantity: Quantity,
}

impl PlaceOrder {
    /// The request's meaning, to tell a replay from another request under the same key.
    pub fn fingerprint(&self) -> Fingerprint {
        platform::idempotency::fingerprint([
            self.customer_id.to_string(),
            self.item.to_string(),
            self.quantity.get().to_string(),
        ])
    }
}

/// A first answer as the edge renders it: remembered under the idempotency key and answered
/// again to a repeat.
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
    /// The order was placed and paid now.
    New(Order),
    /// The key was used before for this same request: its first answer, and nothing was
    /// placed now.
    Replayed(IdempotencyRecord),
}

/// Why [`place_order`] placed nothing. After any of these no order stands and nothing is
/// charged.
#[derive(Debug, thiserror::Error)]
pub enum PlaceOrderError {
    /// Unknown or sold-out item (422).
    #[error(transparent)]
    Unorderable(#[from] Unorderable),
    /// The key was used before for a different request (422).
    #[error("this Idempotency-Key was already used for a different request")]
    KeyReused,
    /// Pay cannot answer now (503 + `Retry-After`): the breaker is open (nothing was written)
    /// or the call timed out or failed (the order is `PaymentFailed` and any payment is voided
    /// by `PaymentAbandoned`).
    #[error("pay cannot answer")]
    PayUnavailable(#[source] InvokeError),
    /// A concurrent request with the same key won, and its answer cannot be read yet.
    #[error("a concurrent request with the same key is in the way")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

fn replayed(record: IdempotencyRecord, fingerprint: &Fingerprint) -> Result<Placed, PlaceOrderError> {
    if &record.fingerprint != fingerprint {
        return Err(PlaceOrderError::KeyReused);
    }
    tracing::info!(order_id = %record.resource_id, "idempotent replay");
    Ok(Placed::Replayed(record))
}

/// Places and pays an order (FR 1-2), the spec's way:
/// 1. a repeat of a key answers its first answer;
/// 2. the breaker is checked first: open, 503 at once and nothing written;
/// 3. the item must be on sale (422 otherwise); `amount = price x quantity`;
/// 4. the order is stored `PaymentPending` (no event), then pay is called (timeout +
///    breaker);
/// 5. approved: `Paid` + `OrderPlaced` (+ the first answer under the key, rendered by
///    `answer`) in one transaction -> [`Placed::New`]; otherwise `PaymentFailed` +
///    `PaymentAbandoned`, and [`PlaceOrderError::PayUnavailable`] (503): pay voids any
///    payment it made late. A retry after a 503 places a new order.
///
/// # Errors
/// [`PlaceOrderError`]; in every case no order stands and nothing is charged.
#[tracing::instrument(skip_all, fields(correlation_id))]
pub async fn place_order(
    menu: &impl Menu,
    orders: &impl Orders,
    pay: &impl Pay,
    command: &PlaceOrder,
    answer: impl FnOnce(&Order) -> anyhow::Result<FirstAnswer>,
) -> Result<Placed, PlaceOrderError> {
    let fingerprint = command.fingerprint();
    if let Some(key) = &command.key
        && let Some(record) = orders.find_idempotency(&command.customer_id, key).await?
    {
        return replayed(record, &fingerprint);
    }
    if !pay.available().await {
        return Err(PlaceOrderError::PayUnavailable(InvokeError::Open("pay".to_owned())));
    }
    let item = menu.find_item(&command.item).await?.ok_or_else(|| Unorderable::Unknown(command.item.clone()))?;
    let order = Order::begin(OrderId::generate(), command.customer_id.clone(), &item, command.quantity, Utc::now())?;
    tracing::Span::current().record("correlation_id", order.id().as_str());
    orders.begin(&order).await.map_err(write_failed)?;
    let payment = pay.pay(order.id(), order.customer_id(), order.amount()).await;
    let payment_id = match payment {
        Ok(Payment::Approved(id)) => id,
        Ok(Payment::Refused) => {
            let refused = anyhow::anyhow!("pay refused a new order's payment");
            return Err(fail(orders, &order, InvokeError::Failed { function: "pay".to_owned(), cause: refused }).await);
        }
        Err(err) => return Err(fail(orders, &order, err).await),
    };
    let (paid, events) = order.paid(payment_id, Utc::now()).map_err(|e| PlaceOrderError::Storage(e.into()))?;
    let first = answer(&paid)?;
    let record = IdempotencyRecord {
        fingerprint: fingerprint.clone(),
        resource_id: paid.id().to_string(),
        status: first.status,
        response: first.body,
    };
    let remembered = command.key.as_ref().map(|key| (key, &record));
    match orders.save(&paid, order.version(), &events, remembered).await {
        Ok(()) => {
            tracing::info!("order placed and paid");
            crate::metrics::placed(&paid);
            Ok(Placed::New(paid))
        }
        Err(err) => {
            // A concurrent duplicate took the key (or a consumer failed the order meanwhile):
            // this order does not stand, and its payment is voided by event.
            let lost =
                fail(orders, &order, InvokeError::Failed { function: "pay".to_owned(), cause: err.into() }).await;
            match &command.key {
                Some(key) => match orders.find_idempotency(&command.customer_id, key).await? {
                    Some(record) => replayed(record, &fingerprint),
                    None => Err(PlaceOrderError::Contended),
                },
                None => Err(lost),
            }
        }
    }
}

fn write_failed(err: WriteError) -> PlaceOrderError {
    match err {
        WriteError::Conflict => PlaceOrderError::Contended,
        WriteError::Storage(err) => PlaceOrderError::Storage(err),
    }
}

/// Fails the `PaymentPending` `order` (stored `PaymentFailed` with `PaymentAbandoned`) after
/// pay could not answer (`why`). If even that write fails, the order stays `PaymentPending`
/// and `PaymentApproved` (if pay approved) fails it later ([`fail_if_stuck`]).
async fn fail(orders: &impl Orders, order: &Order, why: InvokeError) -> PlaceOrderError {
    match order.payment_failed(Utc::now()) {
        Ok((failed, events)) => match orders.save(&failed, order.version(), &events, None).await {
            Ok(()) => {
                tracing::warn!(error = %why, "payment abandoned; the order is PaymentFailed");
                crate::metrics::payment_failed();
            }
            Err(err) => {
                tracing::error!(error = %err, "the failed order could not be stored; PaymentApproved will fail it")
            }
        },
        Err(err) => tracing::error!(error = %err, "the order is no longer waiting for its payment"),
    }
    PlaceOrderError::PayUnavailable(why)
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

/// The order `id`, for its customer or the store (FR 7).
///
/// # Errors
/// [`GetOrderError::NotFound`] when there is none or the caller may not see it (so nobody
/// learns that another customer's order exists); [`GetOrderError::Storage`].
#[tracing::instrument(skip_all, fields(correlation_id = %id))]
pub async fn get_order(orders: &impl Orders, caller: &Caller, id: &OrderId) -> Result<Order, GetOrderError> {
    let store = caller.is(STORE);
    orders
        .find(id)
        .await?
        .filter(|order| store || order.is_of(&caller.subject))
        .ok_or_else(|| GetOrderError::NotFound(id.clone()))
}

/// One `page` of `customer`'s orders, newest first.
///
/// # Errors
/// [`PageError`].
pub async fn list_orders(
    orders: &impl Orders,
    customer: &CustomerId,
    page: &PageRequest,
) -> Result<Page<Order>, PageError> {
    orders.of_customer(customer, page).await
}

/// Why a cancel did not happen; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum CancelOrderError {
    /// No such order, or not the caller's.
    #[error("order {0} not found")]
    NotFound(OrderId),
    /// Not `Paid` (by the order's status, or the store's answer: cooking started).
    #[error(transparent)]
    NotPaid(#[from] CancelError),
    /// The store cannot answer now.
    #[error("the store cannot answer")]
    Unavailable(#[source] InvokeError),
    /// The order kept changing under us; retrying helps.
    #[error("the order is changing; try again")]
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

async fn own_order(orders: &impl Orders, caller: &Caller, id: &OrderId) -> Result<Order, CancelOrderError> {
    orders
        .find(id)
        .await?
        .filter(|order| order.is_of(&caller.subject))
        .ok_or_else(|| CancelOrderError::NotFound(id.clone()))
}

/// Cancels the caller's order `id` (FR 5-6): only a `Paid` order; the store is asked first,
/// synchronously, and only its yes cancels the order, stored with `OrderCancelled` (pay
/// refunds on it). Cancelling a cancelled order answers it again without asking anyone.
///
/// # Errors
/// [`CancelOrderError::NotFound`], [`CancelOrderError::NotPaid`] (the order or the store says
/// cooking started), [`CancelOrderError::Unavailable`] (the order is unchanged; the store's
/// `StoreOrderCancelled` cancels it later if the call did complete),
/// [`CancelOrderError::Contended`], [`CancelOrderError::Storage`].
#[tracing::instrument(skip_all, fields(correlation_id = %id))]
pub async fn cancel_order(
    orders: &impl Orders,
    desk: &impl StoreDesk,
    caller: &Caller,
    id: &OrderId,
) -> Result<Order, CancelOrderError> {
    let order = own_order(orders, caller, id).await?;
    // Decide before asking the store: a refusal or a repeat needs no call.
    if order.cancel(Utc::now())?.1.is_empty() {
        return Ok(order);
    }
    match desk.cancel(id, order.customer_id()).await.map_err(CancelOrderError::Unavailable)? {
        StoreCancellation::TooLate => return Err(CancelError::NotPaid(OrderStatus::Cooking).into()),
        StoreCancellation::Cancelled => {}
    }
    let (cancelled, changed) = on_conflict(|| async {
        let current = own_order(orders, caller, id).await?;
        let (next, events) = current.cancel(Utc::now())?;
        if !events.is_empty() {
            orders.save(&next, current.version(), &events, None).await?;
        }
        Ok::<_, CancelOrderError>((next, !events.is_empty()))
    })
    .await?;
    if changed {
        tracing::info!("order cancelled");
        crate::metrics::cancelled();
    }
    Ok(cancelled)
}

/// What a consumer did with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// The order moved to this status.
    Moved(OrderStatus),
    /// The order had moved past this event (late, repeated or stale): nothing written.
    Unchanged,
    /// The inbox had this event already: nothing written.
    Duplicate,
}

/// Why a consumer did not apply an event; the message is retried, then dead-lettered.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    /// No such order. It is stored before pay is called and before any event about it, so
    /// an event of an unknown order is not ours: failing keeps it in the dead-letter queue.
    #[error("order {0} not found")]
    UnknownOrder(OrderId),
    /// `PaymentApproved` of an order still `PaymentPending` within the pay timeout: its
    /// handler may still be writing `Paid`; retried later.
    #[error("order {0} is still waiting for its payment; retry later")]
    StillPaying(OrderId),
    /// The order kept changing under us.
    #[error("the order kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for FollowError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for FollowError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Applies what the store told (`fact`, from the consumed event `cause`) to order `id`, once:
/// the order and any event it says (`OrderCancelled` on reconciliation) are written with the
/// inbox item of `cause`.
///
/// # Errors
/// [`FollowError`].
#[tracing::instrument(skip_all, fields(correlation_id = %id, ?fact))]
pub async fn follow_store(
    orders: &impl Orders,
    id: &OrderId,
    fact: StoreFact,
    cause: &EventEnvelope,
) -> Result<Followed, FollowError> {
    on_conflict(|| async {
        let order = orders.find(id).await?.ok_or_else(|| FollowError::UnknownOrder(id.clone()))?;
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

/// `PaymentApproved` of order `id` (event `cause`): an order still `PaymentPending` more than
/// `timeout` after it began was left by a crashed handler, and is failed as a timeout is
/// (`PaymentFailed` + `PaymentAbandoned`, so the approved payment is voided). Any other order
/// is unchanged.
///
/// # Errors
/// [`FollowError::StillPaying`] within the timeout (retried later), or another
/// [`FollowError`].
#[tracing::instrument(skip_all, fields(correlation_id = %id))]
pub async fn fail_if_stuck(
    orders: &impl Orders,
    id: &OrderId,
    cause: &EventEnvelope,
    timeout: TimeDelta,
) -> Result<Followed, FollowError> {
    on_conflict(|| async {
        let order = orders.find(id).await?.ok_or_else(|| FollowError::UnknownOrder(id.clone()))?;
        if order.status() != OrderStatus::PaymentPending {
            return Ok(Followed::Unchanged);
        }
        let now = Utc::now();
        if !order.is_stuck(now, timeout) {
            return Err(FollowError::StillPaying(id.clone()));
        }
        let (failed, events) = order.payment_failed(now).map_err(|e| FollowError::Storage(e.into()))?;
        Ok(match orders.save_once(cause, &failed, order.version(), &events).await? {
            Applied::Now => {
                crate::metrics::payment_failed();
                Followed::Moved(failed.status())
            }
            Applied::AlreadyDone => Followed::Duplicate,
        })
    })
    .await
}
