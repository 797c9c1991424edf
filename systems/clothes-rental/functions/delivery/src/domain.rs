//! The delivery team's rules: the [`Delivery`] ticket (배송; the original's `Delivery` with
//! its `Cancellation` folded in) and what makes one order one ticket of each kind. Plain Rust:
//! no I/O, no AWS, no wire types.
//!
//! - kind `Delivery`: `Received` (made from `OrderPlaced`) -> `Shipped` (the team's ship
//!   command), or `Received` -> `Cancelled` (the order context's synchronous cancel). Both
//!   start only from `Received`, so exactly one of them wins (the adapter makes each
//!   conditional on the version it read).
//! - kind `Return`: `Requested` (made from `ReturnRequested`) -> `Collected` (the team's
//!   collect command).
//! - An order gets at most one ticket of each kind ([`Intake`]); a cancel before its
//!   `OrderPlaced` arrived leaves a tombstone ([`OrderAtDesk::Tombstone`]), so the late event
//!   makes nothing.
//!
//! Every command returns the new state and the [`DeliveryEvent`]s it produced.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

platform::uuid_id!(
    /// A ticket's id: a UUID v7 the delivery context generates.
    DeliveryId,
    "a delivery id (UUID)"
);

platform::opaque_id!(
    /// An order's id, as the order context gives it (opaque here).
    OrderId
);

platform::opaque_id!(
    /// The customer who ordered: a token's `sub` (opaque).
    CustomerId
);

platform::opaque_id!(
    /// The clothes, as ordered.
    ProductId
);

/// How many pieces, 1 or more (the order context checks the range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(u32);

/// A quantity of 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a quantity is 1 or more")]
pub struct InvalidQuantity;

impl Quantity {
    /// Checks a quantity read from an event or the table.
    ///
    /// # Errors
    /// [`InvalidQuantity`] for 0.
    pub fn parse(n: u32) -> Result<Self, InvalidQuantity> {
        if n >= 1 { Ok(Self(n)) } else { Err(InvalidQuantity) }
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Quantity {
    type Error = InvalidQuantity;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::parse(n)
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> Self {
        q.0
    }
}

/// Which way the clothes go.
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
pub enum Kind {
    /// To the customer.
    Delivery,
    /// Back from the customer (반납).
    Return,
}

/// Where a ticket is. `Received`, `Shipped`, `Cancelled` are a `Delivery`'s; `Requested` and
/// `Collected` a `Return`'s ([`DeliveryStatus::kind`]).
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
pub enum DeliveryStatus {
    /// The order reached the team; not shipped yet.
    Received,
    /// The clothes left.
    Shipped,
    /// Cancelled before shipping.
    Cancelled,
    /// A return waiting to be collected (the original's `"Return Started"`).
    Requested,
    /// The returned clothes were collected (회수).
    Collected,
}

impl DeliveryStatus {
    /// The kind of ticket this status belongs to.
    pub fn kind(self) -> Kind {
        match self {
            Self::Received | Self::Shipped | Self::Cancelled => Kind::Delivery,
            Self::Requested | Self::Collected => Kind::Return,
        }
    }

    /// The status a new ticket of `kind` starts in: the head of the team's work queue.
    pub fn first_of(kind: Kind) -> Self {
        match kind {
            Kind::Delivery => Self::Received,
            Kind::Return => Self::Requested,
        }
    }
}

/// What happened to a ticket, as the domain says it; each is published on
/// `DeliveryEventsTopic` under its contract name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryEvent {
    /// `Shipped`.
    Shipped {
        /// The ticket.
        delivery_id: DeliveryId,
        /// Its order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
    },
    /// `DeliveryCancelled`; `delivery_id` is `None` for a tombstone (no ticket yet).
    Cancelled {
        /// The ticket, if there was one.
        delivery_id: Option<DeliveryId>,
        /// Its order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
    },
    /// `ReturnCollected`.
    Collected {
        /// The return ticket.
        delivery_id: DeliveryId,
        /// Its order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
    },
}

/// What the team knows about an order's delivery (one record per order and kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderAtDesk {
    /// The order has this ticket.
    Ticketed(DeliveryId),
    /// The order was cancelled before its `OrderPlaced` arrived: it never gets a delivery ticket.
    Tombstone,
}

impl OrderAtDesk {
    /// Records that `order_id` (of `customer_id`), which has no ticket, is cancelled before
    /// one was made (says [`DeliveryEvent::Cancelled`] without a ticket).
    pub fn tombstone(order_id: OrderId, customer_id: CustomerId) -> (Self, Vec<DeliveryEvent>) {
        (Self::Tombstone, vec![DeliveryEvent::Cancelled { delivery_id: None, order_id, customer_id }])
    }
}

/// Why an order gets no (new) ticket.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlreadyKnown {
    /// A duplicate or late event: the order has this ticket of the kind already.
    #[error("the order already has ticket {0}")]
    Ticketed(DeliveryId),
    /// The order was cancelled before its `OrderPlaced` arrived.
    #[error("the order was cancelled before it reached the delivery team")]
    Tombstone,
}

/// An order's request the team has not seen for this kind: the only thing a ticket is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    kind: Kind,
    order_id: OrderId,
    customer_id: CustomerId,
    product_id: ProductId,
    qty: Quantity,
}

impl Intake {
    /// The team's take on a request of `kind` for `order_id`, given what it knows of the
    /// order's tickets of that kind.
    ///
    /// # Errors
    /// [`AlreadyKnown`] when the order has its ticket of this kind already or a tombstone.
    pub fn of(
        kind: Kind,
        order_id: OrderId,
        customer_id: CustomerId,
        product_id: ProductId,
        qty: Quantity,
        known: Option<&OrderAtDesk>,
    ) -> Result<Self, AlreadyKnown> {
        match known {
            None => Ok(Self { kind, order_id, customer_id, product_id, qty }),
            Some(OrderAtDesk::Ticketed(id)) => Err(AlreadyKnown::Ticketed(id.clone())),
            Some(OrderAtDesk::Tombstone) => Err(AlreadyKnown::Tombstone),
        }
    }

    /// Makes the ticket, in its kind's first status (`Received` or `Requested`). Making a
    /// ticket announces nothing: the order already said what the team received.
    pub fn open(self, now: DateTime<Utc>) -> Delivery {
        let now = now.trunc_subsecs(3);
        Delivery(DeliveryRecord {
            id: DeliveryId::generate(),
            order_id: self.order_id,
            customer_id: self.customer_id,
            kind: self.kind,
            product_id: self.product_id,
            qty: self.qty,
            status: DeliveryStatus::first_of(self.kind),
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

/// Why the team's ship command was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ShipError {
    /// The delivery was cancelled first.
    #[error("the delivery was cancelled")]
    Cancelled,
    /// It has shipped already.
    #[error("the delivery has already shipped")]
    AlreadyShipped,
    /// A return ticket is collected, not shipped.
    #[error("this is a return ticket; collect it")]
    NotADelivery,
}

/// Why delivery refuses to cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CancelRefused {
    /// The clothes have left.
    #[error("the delivery has shipped")]
    Shipped,
}

/// Why the team's collect command was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CollectError {
    /// It was collected already.
    #[error("the return has already been collected")]
    AlreadyCollected,
    /// A delivery ticket is shipped, not collected.
    #[error("this is not a return ticket")]
    NotAReturn,
}

/// A ticket as stored: what the adapter writes and reads back ([`Delivery::restore`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Its id.
    pub id: DeliveryId,
    /// The order.
    pub order_id: OrderId,
    /// Who ordered.
    pub customer_id: CustomerId,
    /// Which way.
    pub kind: Kind,
    /// What.
    pub product_id: ProductId,
    /// How many.
    pub qty: Quantity,
    /// Where it is.
    pub status: DeliveryStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version: 1 when made, +1 per change.
    pub version: u64,
}

/// A delivery or return ticket. Changed only through its commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery(DeliveryRecord);

impl Delivery {
    /// A ticket as it was stored.
    pub fn restore(record: DeliveryRecord) -> Self {
        Self(record)
    }

    /// Its stored form.
    pub fn record(&self) -> &DeliveryRecord {
        &self.0
    }

    /// Its id.
    pub fn id(&self) -> &DeliveryId {
        &self.0.id
    }

    /// The order.
    pub fn order_id(&self) -> &OrderId {
        &self.0.order_id
    }

    /// Which way.
    pub fn kind(&self) -> Kind {
        self.0.kind
    }

    /// Where it is.
    pub fn status(&self) -> DeliveryStatus {
        self.0.status
    }

    /// Its optimistic-concurrency version.
    pub fn version(&self) -> u64 {
        self.0.version
    }

    fn moved(&self, to: DeliveryStatus, now: DateTime<Utc>) -> Self {
        Self(DeliveryRecord {
            status: to,
            updated_at: now.trunc_subsecs(3),
            version: self.0.version + 1,
            ..self.0.clone()
        })
    }

    /// Ships a `Received` delivery (says [`DeliveryEvent::Shipped`]).
    ///
    /// # Errors
    /// [`ShipError`]: cancelled, shipped already, or a return ticket.
    pub fn ship(&self, now: DateTime<Utc>) -> Result<(Self, Vec<DeliveryEvent>), ShipError> {
        match self.0.status {
            DeliveryStatus::Received => {
                let next = self.moved(DeliveryStatus::Shipped, now);
                let event = DeliveryEvent::Shipped {
                    delivery_id: self.0.id.clone(),
                    order_id: self.0.order_id.clone(),
                    customer_id: self.0.customer_id.clone(),
                };
                Ok((next, vec![event]))
            }
            DeliveryStatus::Cancelled => Err(ShipError::Cancelled),
            DeliveryStatus::Shipped => Err(ShipError::AlreadyShipped),
            DeliveryStatus::Requested | DeliveryStatus::Collected => Err(ShipError::NotADelivery),
        }
    }

    /// Cancels a `Received` delivery (says [`DeliveryEvent::Cancelled`]). Already cancelled:
    /// unchanged, no events (asking twice answers the same).
    ///
    /// # Errors
    /// [`CancelRefused::Shipped`] once it has shipped.
    pub fn cancel(&self, now: DateTime<Utc>) -> Result<(Self, Vec<DeliveryEvent>), CancelRefused> {
        match self.0.status {
            DeliveryStatus::Received => {
                let next = self.moved(DeliveryStatus::Cancelled, now);
                let event = DeliveryEvent::Cancelled {
                    delivery_id: Some(self.0.id.clone()),
                    order_id: self.0.order_id.clone(),
                    customer_id: self.0.customer_id.clone(),
                };
                Ok((next, vec![event]))
            }
            DeliveryStatus::Cancelled => Ok((self.clone(), Vec::new())),
            // A return ticket exists only for a shipped order.
            DeliveryStatus::Shipped | DeliveryStatus::Requested | DeliveryStatus::Collected => {
                Err(CancelRefused::Shipped)
            }
        }
    }

    /// Collects a `Requested` return (says [`DeliveryEvent::Collected`]).
    ///
    /// # Errors
    /// [`CollectError`]: collected already, or a delivery ticket.
    pub fn collect(&self, now: DateTime<Utc>) -> Result<(Self, Vec<DeliveryEvent>), CollectError> {
        match self.0.status {
            DeliveryStatus::Requested => {
                let next = self.moved(DeliveryStatus::Collected, now);
                let event = DeliveryEvent::Collected {
                    delivery_id: self.0.id.clone(),
                    order_id: self.0.order_id.clone(),
                    customer_id: self.0.customer_id.clone(),
                };
                Ok((next, vec![event]))
            }
            DeliveryStatus::Collected => Err(CollectError::AlreadyCollected),
            DeliveryStatus::Received | DeliveryStatus::Shipped | DeliveryStatus::Cancelled => {
                Err(CollectError::NotAReturn)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-22T01:00:00.5Z".parse().unwrap()
    }

    fn intake(kind: Kind, known: Option<&OrderAtDesk>) -> Result<Intake, AlreadyKnown> {
        Intake::of(
            kind,
            OrderId::parse("o-1").unwrap(),
            CustomerId::parse("auth0|kim").unwrap(),
            ProductId::parse("1001").unwrap(),
            Quantity::parse(5).unwrap(),
            known,
        )
    }

    fn received() -> Delivery {
        intake(Kind::Delivery, None).unwrap().open(now())
    }

    fn requested() -> Delivery {
        intake(Kind::Return, None).unwrap().open(now())
    }

    #[test]
    fn a_placed_order_opens_a_received_delivery_and_a_return_request_a_requested_return() {
        let delivery = received();
        assert_eq!(
            (delivery.kind(), delivery.status(), delivery.version()),
            (Kind::Delivery, DeliveryStatus::Received, 1)
        );
        assert_eq!(delivery.record().qty.get(), 5);
        let ret = requested();
        assert_eq!((ret.kind(), ret.status()), (Kind::Return, DeliveryStatus::Requested));
        assert_eq!(DeliveryStatus::Collected.kind(), Kind::Return);
        assert_eq!(DeliveryStatus::Cancelled.kind(), Kind::Delivery);
    }

    #[test]
    fn an_order_gets_one_ticket_of_a_kind_and_none_after_a_tombstone() {
        let id = DeliveryId::generate();
        assert_eq!(intake(Kind::Delivery, Some(&OrderAtDesk::Ticketed(id.clone()))), Err(AlreadyKnown::Ticketed(id)));
        assert_eq!(intake(Kind::Delivery, Some(&OrderAtDesk::Tombstone)), Err(AlreadyKnown::Tombstone));
    }

    #[test]
    fn a_cancel_before_the_order_arrived_leaves_a_tombstone_and_says_delivery_cancelled() {
        let (record, events) =
            OrderAtDesk::tombstone(OrderId::parse("o-1").unwrap(), CustomerId::parse("auth0|kim").unwrap());
        assert_eq!(record, OrderAtDesk::Tombstone);
        assert_eq!(
            events,
            [DeliveryEvent::Cancelled {
                delivery_id: None,
                order_id: OrderId::parse("o-1").unwrap(),
                customer_id: CustomerId::parse("auth0|kim").unwrap(),
            }]
        );
    }

    #[test]
    fn a_received_delivery_ships_once_and_says_shipped() {
        let delivery = received();
        let (shipped, events) = delivery.ship(now()).unwrap();
        assert_eq!(
            events,
            [DeliveryEvent::Shipped {
                delivery_id: delivery.id().clone(),
                order_id: delivery.order_id().clone(),
                customer_id: delivery.record().customer_id.clone(),
            }]
        );
        assert_eq!((shipped.status(), shipped.version()), (DeliveryStatus::Shipped, 2));
        assert_eq!(shipped.ship(now()), Err(ShipError::AlreadyShipped));
        assert_eq!(requested().ship(now()), Err(ShipError::NotADelivery));
    }

    #[test]
    fn a_received_delivery_cancels_once_and_asking_again_answers_the_same() {
        let delivery = received();
        let (cancelled, events) = delivery.cancel(now()).unwrap();
        assert!(
            matches!(events.as_slice(), [DeliveryEvent::Cancelled { delivery_id: Some(id), .. }] if id == delivery.id())
        );
        assert_eq!((cancelled.status(), cancelled.version()), (DeliveryStatus::Cancelled, 2));
        assert_eq!(cancelled.cancel(now()), Ok((cancelled.clone(), Vec::new())));
    }

    #[test]
    fn shipping_and_cancelling_both_need_received_so_exactly_one_wins() {
        let delivery = received();
        let (shipped, _) = delivery.ship(now()).unwrap();
        assert_eq!(shipped.cancel(now()), Err(CancelRefused::Shipped), "shipped first: no cancel");
        let (cancelled, _) = delivery.cancel(now()).unwrap();
        assert_eq!(cancelled.ship(now()), Err(ShipError::Cancelled), "cancelled first: no shipping");
    }

    #[test]
    fn a_requested_return_is_collected_once() {
        let ret = requested();
        let (collected, events) = ret.collect(now()).unwrap();
        assert!(matches!(events.as_slice(), [DeliveryEvent::Collected { delivery_id, .. }] if delivery_id == ret.id()));
        assert_eq!(collected.status(), DeliveryStatus::Collected);
        assert_eq!(collected.collect(now()), Err(CollectError::AlreadyCollected));
        assert_eq!(received().collect(now()), Err(CollectError::NotAReturn));
        assert_eq!(requested().cancel(now()), Err(CancelRefused::Shipped), "a return means it shipped");
    }

    #[test]
    fn statuses_and_kinds_read_and_print_by_name() {
        assert_eq!("Received".parse::<DeliveryStatus>(), Ok(DeliveryStatus::Received));
        assert_eq!("Return".parse::<Kind>(), Ok(Kind::Return));
        assert!("Delivery Started".parse::<DeliveryStatus>().is_err());
        assert_eq!(DeliveryStatus::first_of(Kind::Return).to_string(), "Requested");
    }
}
