//! The order's rules: the [`Order`] aggregate (주문). Plain Rust: no I/O, no AWS, no wire types.
//!
//! Status: `Ordered` -> `Shipped` -> `ReturnRequested` -> `Returned`, and `Ordered` ->
//! `Cancelled`. The customer's commands are [`Order::place`], [`Order::cancel`] (only while
//! `Ordered`, and only after the delivery context agreed) and [`Order::request_return`] (only
//! when `Shipped`); the delivery context's events move it on through [`Order::follow`], only
//! ever forwards: a late or repeated event changes nothing. Every command returns the new
//! state and the [`OrderEvent`]s it produced; no events means nothing to announce.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

platform::uuid_id!(
    /// An order's id: a UUID v7 the order context generates.
    OrderId,
    "an order id (UUID)"
);

platform::opaque_id!(
    /// The customer who ordered: the token's `sub` (opaque; not necessarily a UUID).
    CustomerId
);

platform::opaque_id!(
    /// The clothes ordered, as the customer gives it (the original's sample is `"1001"`);
    /// there is no catalogue to check it against.
    ProductId
);

platform::opaque_id!(
    /// A delivery ticket's id, as the delivery context gives it (opaque here).
    DeliveryId
);

/// How many pieces of the clothes: 1 to [`Quantity::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Quantity(u32);

/// A quantity out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be an integer from 1 to 100")]
pub struct InvalidQuantity;

impl Quantity {
    /// The least quantity (the spec's `qty >= 1`).
    pub const MIN: u32 = 1;
    /// The most one order may hold: a choice of this system (the spec sets no maximum).
    pub const MAX: u32 = 100;

    /// Checks a quantity given from outside.
    ///
    /// # Errors
    /// [`InvalidQuantity`] below 1 or above [`Quantity::MAX`].
    pub fn parse(n: i64) -> Result<Self, InvalidQuantity> {
        u32::try_from(n).ok().filter(|n| (Self::MIN..=Self::MAX).contains(n)).map(Self).ok_or(InvalidQuantity)
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
    /// Placed, not shipped yet (the original's `"Order"`); the only status that may be cancelled.
    Ordered,
    /// The delivery team shipped it (배송됨).
    Shipped,
    /// The customer asked to return it (the original's `"Return"`).
    ReturnRequested,
    /// The delivery team collected it (회수): the end.
    Returned,
    /// Cancelled before it shipped (the original's `"Delivery Cancelled"`): the end.
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
        product_id: ProductId,
        /// How many.
        qty: Quantity,
        /// When (milliseconds).
        ordered_at: DateTime<Utc>,
    },
    /// `OrderCancelled`.
    Cancelled {
        /// The order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
    },
    /// `ReturnRequested`.
    ReturnRequested {
        /// The order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
        /// What to collect.
        product_id: ProductId,
        /// How many.
        qty: Quantity,
    },
}

/// What the delivery context told about an order's clothes (its events, in the order's terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryFact {
    /// `Shipped`: the clothes left.
    Shipped,
    /// `DeliveryCancelled`: the delivery was cancelled (reconciliation).
    Cancelled,
    /// `ReturnCollected`: the returned clothes were collected.
    Collected,
}

/// Why an order cannot be cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CancelError {
    /// It has shipped (or was returned): only an `Ordered` order may be cancelled.
    #[error("the order is {0}; only an order that has not shipped can be cancelled")]
    TooLate(OrderStatus),
}

/// Why a return cannot be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReturnError {
    /// Only a `Shipped` order may be returned.
    #[error("the order is {0}; only a shipped order can be returned")]
    NotShipped(OrderStatus),
}

/// An order as stored: what the adapter writes and reads back ([`Order::restore`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// Its id.
    pub id: OrderId,
    /// Who ordered.
    pub customer_id: CustomerId,
    /// What.
    pub product_id: ProductId,
    /// How many.
    pub qty: Quantity,
    /// Where it is.
    pub status: OrderStatus,
    /// When it was placed.
    pub ordered_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version: 1 when placed, +1 per change.
    pub version: u64,
}

/// An order (주문). Changed only through its commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order(OrderRecord);

impl Order {
    /// Places an order of `qty` of `product_id` for `customer_id`, `Ordered` at `now`
    /// (says [`OrderEvent::Placed`]).
    pub fn place(
        id: OrderId,
        customer_id: CustomerId,
        product_id: ProductId,
        qty: Quantity,
        now: DateTime<Utc>,
    ) -> (Self, Vec<OrderEvent>) {
        let now = now.trunc_subsecs(3);
        let order = Self(OrderRecord {
            id,
            customer_id,
            product_id,
            qty,
            status: OrderStatus::Ordered,
            ordered_at: now,
            updated_at: now,
            version: 1,
        });
        let placed = OrderEvent::Placed {
            order_id: order.0.id.clone(),
            customer_id: order.0.customer_id.clone(),
            product_id: order.0.product_id.clone(),
            qty,
            ordered_at: now,
        };
        (order, vec![placed])
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

    /// What.
    pub fn product_id(&self) -> &ProductId {
        &self.0.product_id
    }

    /// How many.
    pub fn qty(&self) -> Quantity {
        self.0.qty
    }

    /// Where it is.
    pub fn status(&self) -> OrderStatus {
        self.0.status
    }

    /// When it was placed (milliseconds).
    pub fn ordered_at(&self) -> DateTime<Utc> {
        self.0.ordered_at
    }

    /// When it last changed (milliseconds).
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
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

    fn cancelled_event(&self) -> OrderEvent {
        OrderEvent::Cancelled { order_id: self.0.id.clone(), customer_id: self.0.customer_id.clone() }
    }

    /// Cancels an `Ordered` order (says [`OrderEvent::Cancelled`]); call it once the delivery
    /// context agreed. Already cancelled: unchanged, no events (asking twice answers the same).
    ///
    /// # Errors
    /// [`CancelError::TooLate`] once it has shipped.
    pub fn cancel(&self, now: DateTime<Utc>) -> Result<(Self, Vec<OrderEvent>), CancelError> {
        match self.0.status {
            OrderStatus::Ordered => Ok((self.moved(OrderStatus::Cancelled, now), vec![self.cancelled_event()])),
            OrderStatus::Cancelled => Ok((self.clone(), Vec::new())),
            later => Err(CancelError::TooLate(later)),
        }
    }

    /// Asks to return a `Shipped` order (says [`OrderEvent::ReturnRequested`], which makes the
    /// delivery team's return ticket). Already `ReturnRequested`: unchanged, no events.
    ///
    /// # Errors
    /// [`ReturnError::NotShipped`] for any other status.
    pub fn request_return(&self, now: DateTime<Utc>) -> Result<(Self, Vec<OrderEvent>), ReturnError> {
        match self.0.status {
            OrderStatus::Shipped => {
                let event = OrderEvent::ReturnRequested {
                    order_id: self.0.id.clone(),
                    customer_id: self.0.customer_id.clone(),
                    product_id: self.0.product_id.clone(),
                    qty: self.0.qty,
                };
                Ok((self.moved(OrderStatus::ReturnRequested, now), vec![event]))
            }
            OrderStatus::ReturnRequested => Ok((self.clone(), Vec::new())),
            other => Err(ReturnError::NotShipped(other)),
        }
    }

    /// Follows what the delivery context told: `Shipped` moves an `Ordered` order to
    /// `Shipped`; `Cancelled` (reconciliation) moves an `Ordered` order to `Cancelled` and says
    /// [`OrderEvent::Cancelled`], as the customer's cancel would have; `Collected` moves a
    /// `ReturnRequested` order to `Returned`. `None` when the order has moved past the fact
    /// (late, repeated or stale): events never move an order backwards.
    pub fn follow(&self, fact: DeliveryFact, now: DateTime<Utc>) -> Option<(Self, Vec<OrderEvent>)> {
        match (fact, self.0.status) {
            (DeliveryFact::Shipped, OrderStatus::Ordered) => Some((self.moved(OrderStatus::Shipped, now), Vec::new())),
            (DeliveryFact::Cancelled, OrderStatus::Ordered) => {
                Some((self.moved(OrderStatus::Cancelled, now), vec![self.cancelled_event()]))
            }
            (DeliveryFact::Collected, OrderStatus::ReturnRequested) => {
                Some((self.moved(OrderStatus::Returned, now), Vec::new()))
            }
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

    fn ordered() -> Order {
        let customer = CustomerId::parse("auth0|kim").unwrap();
        let product = ProductId::parse("1001").unwrap();
        Order::place(OrderId::generate(), customer, product, Quantity::parse(5).unwrap(), now()).0
    }

    fn shipped() -> Order {
        ordered().follow(DeliveryFact::Shipped, now()).unwrap().0
    }

    fn return_requested() -> Order {
        shipped().request_return(now()).unwrap().0
    }

    fn returned() -> Order {
        return_requested().follow(DeliveryFact::Collected, now()).unwrap().0
    }

    fn cancelled() -> Order {
        ordered().cancel(now()).unwrap().0
    }

    #[test]
    fn quantities_are_whole_numbers_from_one_to_a_hundred() {
        assert_eq!(Quantity::parse(1).map(Quantity::get), Ok(1));
        assert_eq!(Quantity::parse(100).map(Quantity::get), Ok(100));
        for bad in [0, -1, 101, i64::MAX, i64::from(u32::MAX) + 1] {
            assert_eq!(Quantity::parse(bad), Err(InvalidQuantity), "{bad}");
        }
        assert!(serde_json::from_str::<Quantity>("0").is_err(), "no stored 0 reads back");
    }

    #[test]
    fn placing_says_order_placed_with_the_sample_values_at_millisecond_precision() {
        let customer = CustomerId::parse("auth0|kim").unwrap();
        let product = ProductId::parse("1001").unwrap();
        let id = OrderId::generate();
        let (order, events) =
            Order::place(id.clone(), customer.clone(), product.clone(), Quantity::parse(5).unwrap(), now());
        let at: DateTime<Utc> = "2026-11-22T01:00:00.123Z".parse().unwrap();
        assert_eq!(
            events,
            [OrderEvent::Placed {
                order_id: id,
                customer_id: customer,
                product_id: product,
                qty: Quantity(5),
                ordered_at: at
            }]
        );
        assert_eq!((order.status(), order.version(), order.ordered_at()), (OrderStatus::Ordered, 1, at));
        assert!(order.is_of("auth0|kim") && !order.is_of("auth0|lee"));
    }

    #[test]
    fn an_ordered_order_cancels_once_and_says_so() {
        let order = ordered();
        let (next, events) = order.cancel(now()).unwrap();
        assert_eq!(
            events,
            [OrderEvent::Cancelled { order_id: order.id().clone(), customer_id: order.customer_id().clone() }]
        );
        assert_eq!((next.status(), next.version()), (OrderStatus::Cancelled, 2));
        assert_eq!(next.cancel(now()), Ok((next.clone(), Vec::new())), "asking twice answers the same");
    }

    #[test]
    fn a_shipped_returned_or_returning_order_cannot_be_cancelled() {
        for order in [shipped(), return_requested(), returned()] {
            assert_eq!(order.cancel(now()), Err(CancelError::TooLate(order.status())));
        }
    }

    #[test]
    fn only_a_shipped_order_can_be_returned_and_asking_again_changes_nothing() {
        let order = shipped();
        let (next, events) = order.request_return(now()).unwrap();
        assert_eq!(
            events,
            [OrderEvent::ReturnRequested {
                order_id: order.id().clone(),
                customer_id: order.customer_id().clone(),
                product_id: order.product_id().clone(),
                qty: Quantity(5),
            }]
        );
        assert_eq!((next.status(), next.version()), (OrderStatus::ReturnRequested, 3));
        assert_eq!(next.request_return(now()), Ok((next.clone(), Vec::new())));
        for order in [ordered(), cancelled(), returned()] {
            assert_eq!(order.request_return(now()), Err(ReturnError::NotShipped(order.status())));
        }
    }

    #[test]
    fn the_delivery_facts_move_an_order_along_its_life() {
        let (order, events) = ordered().follow(DeliveryFact::Shipped, now()).unwrap();
        assert_eq!((order.status(), events), (OrderStatus::Shipped, vec![]));
        let (order, events) = return_requested().follow(DeliveryFact::Collected, now()).unwrap();
        assert_eq!((order.status(), events), (OrderStatus::Returned, vec![]));
    }

    #[test]
    fn delivery_cancelled_reconciles_an_ordered_order_as_the_command_would() {
        let order = ordered();
        let (reconciled, events) = order.follow(DeliveryFact::Cancelled, now()).unwrap();
        let (commanded, command_events) = order.cancel(now()).unwrap();
        assert_eq!(reconciled, commanded);
        assert_eq!(events, command_events);
        assert_eq!(reconciled.follow(DeliveryFact::Cancelled, now()), None, "the order's own cancel already did it");
    }

    #[test]
    fn stale_and_repeated_events_never_move_an_order_backwards() {
        let stale = [
            (shipped(), DeliveryFact::Shipped),
            (shipped(), DeliveryFact::Cancelled),
            (shipped(), DeliveryFact::Collected),
            (return_requested(), DeliveryFact::Shipped),
            (return_requested(), DeliveryFact::Cancelled),
            (returned(), DeliveryFact::Shipped),
            (returned(), DeliveryFact::Cancelled),
            (returned(), DeliveryFact::Collected),
            (cancelled(), DeliveryFact::Shipped),
            (cancelled(), DeliveryFact::Cancelled),
            (cancelled(), DeliveryFact::Collected),
            (ordered(), DeliveryFact::Collected),
        ];
        for (order, fact) in stale {
            assert_eq!(order.follow(fact, now()), None, "{fact:?} on {}", order.status());
        }
    }

    #[test]
    fn statuses_read_and_print_by_name() {
        assert_eq!("ReturnRequested".parse::<OrderStatus>(), Ok(OrderStatus::ReturnRequested));
        assert_eq!(OrderStatus::Cancelled.to_string(), "Cancelled");
        assert!("Order".parse::<OrderStatus>().is_err(), "the original's names are not ours");
    }
}
