//! The app's rules: the [`MenuItem`] (메뉴) and [`Order`] (주문) aggregates. Plain Rust: no I/O,
//! no AWS, no wire types.
//!
//! Order status: `PaymentPending` -> `Paid` -> `Cooking` -> `Dispatched`; `PaymentPending` ->
//! `PaymentFailed`; `Paid` -> `Cancelled`. An order is begun `PaymentPending` (no event: it
//! lasts only while pay is called); [`Order::paid`] says `OrderPlaced`,
//! [`Order::payment_failed`] says `PaymentAbandoned`, [`Order::cancel`] (only `Paid`, and
//! only after the store agreed) says `OrderCancelled`. The store's events move it on through
//! [`Order::follow`], only ever forwards. `amount = price x quantity`, with the menu price at
//! the time of the order.

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use platform::Won;
use serde::{Deserialize, Serialize};

platform::uuid_id!(
    /// An order's id: a UUID v7 the app generates.
    OrderId,
    "an order id (UUID)"
);

platform::opaque_id!(
    /// The customer who ordered: the token's `sub` (opaque; not necessarily a UUID).
    CustomerId
);

platform::opaque_id!(
    /// Pay's payment id (opaque here).
    PaymentId
);

/// A menu item's name (its identity), e.g. `"chicken"`: 1 to [`ItemName::MAX_CHARS`]
/// characters of strict text (no control or invisible characters, NFC), not blank.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemName(String);

/// A name that is no menu item name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidItemName(String);

impl ItemName {
    /// The longest name, in characters.
    pub const MAX_CHARS: usize = 50;

    /// Checks a name given from outside (normalised to NFC).
    ///
    /// # Errors
    /// [`InvalidItemName`] when blank, too long, or not strict text.
    pub fn parse(text: &str) -> Result<Self, InvalidItemName> {
        if text.trim().is_empty() {
            return Err(InvalidItemName("must not be blank".to_owned()));
        }
        if text.trim() != text {
            return Err(InvalidItemName("must not start or end with whitespace".to_owned()));
        }
        let clean = platform::text::bounded(text, Self::MAX_CHARS).map_err(|err| InvalidItemName(err.to_string()))?;
        Ok(Self(clean))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ItemName {
    type Error = InvalidItemName;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<ItemName> for String {
    fn from(name: ItemName) -> Self {
        name.0
    }
}

impl std::fmt::Display for ItemName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A menu price: whole won from 1 to [`MAX_PRICE`] (a choice of this system).
pub const MAX_PRICE: u64 = 1_000_000;

/// A price out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be a whole number of won from 1 to 1000000")]
pub struct InvalidPrice;

/// Checks a price given from outside.
///
/// # Errors
/// [`InvalidPrice`] below 1 or above [`MAX_PRICE`].
pub fn price(won: i64) -> Result<Won, InvalidPrice> {
    u64::try_from(won).ok().filter(|w| (1..=MAX_PRICE).contains(w)).map(Won::new).ok_or(InvalidPrice)
}

/// How many of an item: 1 to [`Quantity::MAX`] (the spec's `1..99`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Quantity(u32);

/// A quantity out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be an integer from 1 to 99")]
pub struct InvalidQuantity;

impl Quantity {
    /// The most one order may hold (the spec).
    pub const MAX: u32 = 99;
    /// The quantity of an order that gives none (the report's `{"item": "chicken"}`).
    pub const ONE: Self = Self(1);

    /// Checks a quantity given from outside.
    ///
    /// # Errors
    /// [`InvalidQuantity`] below 1 or above [`Quantity::MAX`].
    pub fn parse(n: i64) -> Result<Self, InvalidQuantity> {
        u32::try_from(n).ok().filter(|n| (1..=Self::MAX).contains(n)).map(Self).ok_or(InvalidQuantity)
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = InvalidQuantity;
    fn try_from(n: i64) -> Result<Self, Self::Error> {
        Self::parse(n)
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> Self {
        q.0
    }
}

/// Whether a menu item can be ordered.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    utoipa::ToSchema,
)]
pub enum MenuStatus {
    /// On the menu: it can be ordered.
    OnSale,
    /// Sold out: listed nowhere, ordering it is 422.
    SoldOut,
}

/// Why an item cannot be ordered (422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unorderable {
    /// No such item on the menu.
    #[error("{0} is not on the menu")]
    Unknown(ItemName),
    /// The item is sold out.
    #[error("{0} is sold out")]
    SoldOut(ItemName),
}

/// A menu item (메뉴), kept by the store owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    /// Its name (identity).
    pub name: ItemName,
    /// Its price now.
    pub price: Won,
    /// On sale or sold out.
    pub status: MenuStatus,
    /// Optimistic-concurrency version: 1 when added, +1 per change.
    pub version: u64,
}

impl MenuItem {
    /// A new item, `OnSale`.
    pub fn add(name: ItemName, price: Won) -> Self {
        Self { name, price, status: MenuStatus::OnSale, version: 1 }
    }

    /// The item with a new `price` and/or `status` (each left as is when `None`); the version
    /// moves on only when something changed.
    #[must_use]
    pub fn change(&self, price: Option<Won>, status: Option<MenuStatus>) -> Self {
        let next = Self { price: price.unwrap_or(self.price), status: status.unwrap_or(self.status), ..self.clone() };
        if next == *self { next } else { Self { version: self.version + 1, ..next } }
    }

    /// Its price for an order now.
    ///
    /// # Errors
    /// [`Unorderable::SoldOut`].
    pub fn order_price(&self) -> Result<Won, Unorderable> {
        match self.status {
            MenuStatus::OnSale => Ok(self.price),
            MenuStatus::SoldOut => Err(Unorderable::SoldOut(self.name.clone())),
        }
    }
}

/// Where an order is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    utoipa::ToSchema,
)]
pub enum OrderStatus {
    /// Stored, pay being called; lasts only while the call does.
    PaymentPending,
    /// Paid: the order stands and goes to the store; the only status that may be cancelled.
    Paid,
    /// The store is cooking it.
    Cooking,
    /// The delivery left (배달출발): the end.
    Dispatched,
    /// Pay did not answer in time (or failed): no order, no charge. The end.
    PaymentFailed,
    /// Cancelled before cooking; refunded. The end.
    Cancelled,
}

/// What happened to an order, as the domain says it; each is published on
/// `OrderEventsTopic` under its contract name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEvent {
    /// `OrderPlaced`.
    Placed {
        /// The order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
        /// What.
        item: ItemName,
        /// How many.
        quantity: Quantity,
        /// Paid.
        amount: Won,
        /// Pay's payment.
        payment_id: PaymentId,
    },
    /// `OrderCancelled`.
    Cancelled {
        /// The order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
        /// The payment to refund.
        payment_id: PaymentId,
        /// How much.
        amount: Won,
    },
    /// `PaymentAbandoned`.
    PaymentAbandoned {
        /// The order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
        /// The amount asked.
        amount: Won,
    },
}

/// What the store told about an order (its events, in the order's terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreFact {
    /// `CookingStarted`.
    CookingStarted,
    /// `DeliveryDispatched`.
    DeliveryDispatched,
    /// `StoreOrderCancelled`: the store cancelled it (reconciliation).
    Cancelled,
}

/// Why an order cannot be cancelled (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CancelError {
    /// Only a `Paid` order can be cancelled (cooking started, dispatched, or never paid).
    #[error("the order is {0}; only a paid order whose cooking has not started can be cancelled")]
    NotPaid(OrderStatus),
}

/// The order was not waiting for its payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the order is {0}, not PaymentPending")]
pub struct NotPending(pub OrderStatus);

/// An order as stored: what the adapter writes and reads back ([`Order::restore`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// Its id.
    pub id: OrderId,
    /// Who ordered.
    pub customer_id: CustomerId,
    /// What.
    pub item: ItemName,
    /// How many.
    pub quantity: Quantity,
    /// The menu price at the time of the order.
    pub unit_price: Won,
    /// `unit_price x quantity`.
    pub amount: Won,
    /// Where it is.
    pub status: OrderStatus,
    /// Pay's payment, once paid.
    pub payment_id: Option<PaymentId>,
    /// When it was begun.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version: 1 when begun, +1 per change.
    pub version: u64,
}

/// An order (주문). Changed only through its commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order(OrderRecord);

impl Order {
    /// Begins an order of `quantity` x `item` for `customer_id` at `now`: `PaymentPending`,
    /// priced at the item's price now. No event: the order does not stand until it is paid.
    ///
    /// # Errors
    /// [`Unorderable::SoldOut`].
    pub fn begin(
        id: OrderId,
        customer_id: CustomerId,
        item: &MenuItem,
        quantity: Quantity,
        now: DateTime<Utc>,
    ) -> Result<Self, Unorderable> {
        let unit_price = item.order_price()?;
        let now = now.trunc_subsecs(3);
        Ok(Self(OrderRecord {
            id,
            customer_id,
            item: item.name.clone(),
            quantity,
            unit_price,
            amount: unit_price * quantity.get(),
            status: OrderStatus::PaymentPending,
            payment_id: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }))
    }

    /// An order as it was stored.
    pub fn restore(record: OrderRecord) -> Self {
        Self(record)
    }

    /// Its stored form.
    pub fn record(&self) -> &OrderRecord {
        &self.0
    }

    /// Its id.
    pub fn id(&self) -> &OrderId {
        &self.0.id
    }

    /// Who ordered.
    pub fn customer_id(&self) -> &CustomerId {
        &self.0.customer_id
    }

    /// Whether `subject` (a token's `sub`) is the customer who ordered.
    pub fn is_of(&self, subject: &str) -> bool {
        self.0.customer_id.as_str() == subject
    }

    /// Where it is.
    pub fn status(&self) -> OrderStatus {
        self.0.status
    }

    /// What it costs.
    pub fn amount(&self) -> Won {
        self.0.amount
    }

    /// Its optimistic-concurrency version.
    pub fn version(&self) -> u64 {
        self.0.version
    }

    fn moved(&self, to: OrderStatus, now: DateTime<Utc>) -> Self {
        Self(OrderRecord {
            status: to,
            updated_at: now.trunc_subsecs(3),
            version: self.0.version + 1,
            ..self.0.clone()
        })
    }

    /// Pay approved `payment_id`: `Paid`, says [`OrderEvent::Placed`].
    ///
    /// # Errors
    /// [`NotPending`] when it is no longer `PaymentPending` (failed meanwhile).
    pub fn paid(&self, payment_id: PaymentId, now: DateTime<Utc>) -> Result<(Self, Vec<OrderEvent>), NotPending> {
        if self.0.status != OrderStatus::PaymentPending {
            return Err(NotPending(self.0.status));
        }
        let mut paid = self.moved(OrderStatus::Paid, now);
        paid.0.payment_id = Some(payment_id.clone());
        let placed = OrderEvent::Placed {
            order_id: self.0.id.clone(),
            customer_id: self.0.customer_id.clone(),
            item: self.0.item.clone(),
            quantity: self.0.quantity,
            amount: self.0.amount,
            payment_id,
        };
        Ok((paid, vec![placed]))
    }

    /// Pay did not answer in time, failed or refused: `PaymentFailed`, says
    /// [`OrderEvent::PaymentAbandoned`] (pay voids any payment it made).
    ///
    /// # Errors
    /// [`NotPending`] when it is no longer `PaymentPending`.
    pub fn payment_failed(&self, now: DateTime<Utc>) -> Result<(Self, Vec<OrderEvent>), NotPending> {
        if self.0.status != OrderStatus::PaymentPending {
            return Err(NotPending(self.0.status));
        }
        let abandoned = OrderEvent::PaymentAbandoned {
            order_id: self.0.id.clone(),
            customer_id: self.0.customer_id.clone(),
            amount: self.0.amount,
        };
        Ok((self.moved(OrderStatus::PaymentFailed, now), vec![abandoned]))
    }

    /// Whether it is still `PaymentPending` more than `timeout` after it began, at `now`: the
    /// handler that called pay is gone (a crash), and the order must be failed as a timeout is.
    pub fn is_stuck(&self, now: DateTime<Utc>, timeout: TimeDelta) -> bool {
        self.0.status == OrderStatus::PaymentPending && now - self.0.created_at > timeout
    }

    fn cancelled_event(&self) -> Option<OrderEvent> {
        Some(OrderEvent::Cancelled {
            order_id: self.0.id.clone(),
            customer_id: self.0.customer_id.clone(),
            payment_id: self.0.payment_id.clone()?,
            amount: self.0.amount,
        })
    }

    /// Cancels a `Paid` order (says [`OrderEvent::Cancelled`], which refunds it); call it once
    /// the store agreed. Already cancelled: unchanged, no events (asking twice answers the same).
    ///
    /// # Errors
    /// [`CancelError::NotPaid`] for any other status.
    pub fn cancel(&self, now: DateTime<Utc>) -> Result<(Self, Vec<OrderEvent>), CancelError> {
        match self.0.status {
            OrderStatus::Paid => {
                Ok((self.moved(OrderStatus::Cancelled, now), self.cancelled_event().into_iter().collect()))
            }
            OrderStatus::Cancelled => Ok((self.clone(), Vec::new())),
            other => Err(CancelError::NotPaid(other)),
        }
    }

    /// Follows what the store told: `CookingStarted` moves a `Paid` order to `Cooking`;
    /// `DeliveryDispatched` moves a `Paid` or `Cooking` order to `Dispatched`;
    /// `Cancelled` (reconciliation) moves a `Paid` order to `Cancelled` and says
    /// [`OrderEvent::Cancelled`], as the customer's cancel would have. `None` when the order
    /// has moved past the fact (late, repeated or stale): events never move an order backwards.
    pub fn follow(&self, fact: StoreFact, now: DateTime<Utc>) -> Option<(Self, Vec<OrderEvent>)> {
        match (fact, self.0.status) {
            (StoreFact::CookingStarted, OrderStatus::Paid) => Some((self.moved(OrderStatus::Cooking, now), Vec::new())),
            (StoreFact::DeliveryDispatched, OrderStatus::Paid | OrderStatus::Cooking) => {
                Some((self.moved(OrderStatus::Dispatched, now), Vec::new()))
            }
            (StoreFact::Cancelled, OrderStatus::Paid) => self.cancel(now).ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-22T01:00:00.123456Z".parse().unwrap()
    }

    fn chicken() -> MenuItem {
        MenuItem::add(ItemName::parse("chicken").unwrap(), Won::new(18000))
    }

    fn pending(quantity: u32) -> Order {
        let customer = CustomerId::parse("auth0|kim").unwrap();
        Order::begin(OrderId::generate(), customer, &chicken(), Quantity::parse(quantity.into()).unwrap(), now())
            .unwrap()
    }

    fn paid() -> Order {
        pending(1).paid(PaymentId::parse("p-1").unwrap(), now()).unwrap().0
    }

    fn cooking() -> Order {
        paid().follow(StoreFact::CookingStarted, now()).unwrap().0
    }

    fn dispatched() -> Order {
        cooking().follow(StoreFact::DeliveryDispatched, now()).unwrap().0
    }

    fn failed() -> Order {
        pending(1).payment_failed(now()).unwrap().0
    }

    fn cancelled() -> Order {
        paid().cancel(now()).unwrap().0
    }

    #[test]
    fn names_prices_and_quantities_are_checked() {
        assert!(ItemName::parse("chicken").is_ok());
        assert!(ItemName::parse("양념치킨").is_ok());
        for bad in ["", " ", " chicken", "chicken ", "chi\u{0}cken", "chicken\u{202e}"] {
            assert!(ItemName::parse(bad).is_err(), "{bad:?}");
        }
        assert!(ItemName::parse(&"x".repeat(51)).is_err());
        assert_eq!(price(18000), Ok(Won::new(18000)));
        for bad in [0, -1, 1_000_001] {
            assert_eq!(price(bad), Err(InvalidPrice), "{bad}");
        }
        assert_eq!(Quantity::parse(1).map(Quantity::get), Ok(1));
        assert_eq!(Quantity::parse(99).map(Quantity::get), Ok(99));
        for bad in [0, -1, 100, i64::MAX] {
            assert_eq!(Quantity::parse(bad), Err(InvalidQuantity), "{bad}");
        }
    }

    #[test]
    fn amount_is_the_menu_price_at_the_time_of_the_order_times_the_quantity() {
        assert_eq!(pending(1).amount(), Won::new(18000));
        assert_eq!(pending(2).amount(), Won::new(36000));
        let order = pending(2);
        let _repriced = chicken().change(Some(Won::new(20000)), None);
        assert_eq!(order.amount(), Won::new(36000), "a later price change does not touch it");
        assert_eq!(order.record().unit_price, Won::new(18000));
    }

    #[test]
    fn a_sold_out_item_cannot_be_ordered_and_a_menu_change_moves_the_version_only_when_it_changes() {
        let sold_out = chicken().change(None, Some(MenuStatus::SoldOut));
        assert_eq!((sold_out.status, sold_out.version), (MenuStatus::SoldOut, 2));
        let customer = CustomerId::parse("auth0|kim").unwrap();
        assert_eq!(
            Order::begin(OrderId::generate(), customer, &sold_out, Quantity::ONE, now()),
            Err(Unorderable::SoldOut(sold_out.name.clone()))
        );
        assert_eq!(sold_out.change(None, Some(MenuStatus::SoldOut)), sold_out, "no change, same version");
        assert_eq!(sold_out.change(None, Some(MenuStatus::OnSale)).order_price(), Ok(Won::new(18000)));
    }

    #[test]
    fn a_begun_order_is_payment_pending_and_says_nothing() {
        let order = pending(1);
        assert_eq!(
            (order.status(), order.version(), order.record().payment_id.clone()),
            (OrderStatus::PaymentPending, 1, None)
        );
    }

    #[test]
    fn approval_makes_it_paid_and_says_order_placed() {
        let order = pending(2);
        let payment = PaymentId::parse("p-1").unwrap();
        let (paid, events) = order.paid(payment.clone(), now()).unwrap();
        assert_eq!((paid.status(), paid.version()), (OrderStatus::Paid, 2));
        assert_eq!(
            events,
            [OrderEvent::Placed {
                order_id: order.id().clone(),
                customer_id: order.customer_id().clone(),
                item: ItemName::parse("chicken").unwrap(),
                quantity: Quantity::parse(2).unwrap(),
                amount: Won::new(36000),
                payment_id: payment,
            }]
        );
        assert_eq!(paid.paid(PaymentId::parse("p-2").unwrap(), now()), Err(NotPending(OrderStatus::Paid)));
    }

    #[test]
    fn a_failed_payment_makes_it_payment_failed_and_says_payment_abandoned() {
        let order = pending(1);
        let (failed, events) = order.payment_failed(now()).unwrap();
        assert_eq!(failed.status(), OrderStatus::PaymentFailed);
        assert_eq!(
            events,
            [OrderEvent::PaymentAbandoned {
                order_id: order.id().clone(),
                customer_id: order.customer_id().clone(),
                amount: Won::new(18000)
            }]
        );
        assert_eq!(failed.payment_failed(now()), Err(NotPending(OrderStatus::PaymentFailed)));
        assert_eq!(failed.paid(PaymentId::parse("p").unwrap(), now()), Err(NotPending(OrderStatus::PaymentFailed)));
        assert_eq!(paid().payment_failed(now()), Err(NotPending(OrderStatus::Paid)));
    }

    #[test]
    fn an_order_is_stuck_only_when_pending_past_the_timeout() {
        let timeout = TimeDelta::milliseconds(610);
        let later = now() + TimeDelta::milliseconds(700);
        assert!(!pending(1).is_stuck(now(), timeout));
        assert!(pending(1).is_stuck(later, timeout));
        assert!(!paid().is_stuck(later, timeout));
        assert!(!failed().is_stuck(later, timeout));
    }

    #[test]
    fn only_a_paid_order_cancels_once_and_says_order_cancelled_with_its_payment() {
        let order = paid();
        let (next, events) = order.cancel(now()).unwrap();
        assert_eq!(next.status(), OrderStatus::Cancelled);
        assert_eq!(
            events,
            [OrderEvent::Cancelled {
                order_id: order.id().clone(),
                customer_id: order.customer_id().clone(),
                payment_id: PaymentId::parse("p-1").unwrap(),
                amount: Won::new(18000),
            }]
        );
        assert_eq!(next.cancel(now()), Ok((next.clone(), Vec::new())), "asking twice answers the same");
        for order in [pending(1), cooking(), dispatched(), failed()] {
            assert_eq!(order.cancel(now()), Err(CancelError::NotPaid(order.status())));
        }
    }

    #[test]
    fn the_store_facts_move_an_order_forward_only() {
        assert_eq!(cooking().status(), OrderStatus::Cooking);
        assert_eq!(dispatched().status(), OrderStatus::Dispatched);
        let (skipped, _) = paid().follow(StoreFact::DeliveryDispatched, now()).unwrap();
        assert_eq!(skipped.status(), OrderStatus::Dispatched, "a dispatch overtaking its cooking event");
        let (reconciled, events) = paid().follow(StoreFact::Cancelled, now()).unwrap();
        assert_eq!(reconciled.status(), OrderStatus::Cancelled);
        assert_eq!(events.len(), 1, "OrderCancelled, as the command would");
        let stale = [
            (cooking(), StoreFact::CookingStarted),
            (cooking(), StoreFact::Cancelled),
            (dispatched(), StoreFact::CookingStarted),
            (dispatched(), StoreFact::DeliveryDispatched),
            (dispatched(), StoreFact::Cancelled),
            (cancelled(), StoreFact::CookingStarted),
            (cancelled(), StoreFact::DeliveryDispatched),
            (cancelled(), StoreFact::Cancelled),
            (failed(), StoreFact::CookingStarted),
            (failed(), StoreFact::Cancelled),
            (pending(1), StoreFact::CookingStarted),
            (pending(1), StoreFact::Cancelled),
        ];
        for (order, fact) in stale {
            assert_eq!(order.follow(fact, now()), None, "{fact:?} on {}", order.status());
        }
    }

    #[test]
    fn statuses_read_and_print_by_name() {
        assert_eq!("PaymentPending".parse::<OrderStatus>(), Ok(OrderStatus::PaymentPending));
        assert_eq!(OrderStatus::Dispatched.to_string(), "Dispatched");
        assert_eq!("SoldOut".parse::<MenuStatus>(), Ok(MenuStatus::SoldOut));
    }
}
