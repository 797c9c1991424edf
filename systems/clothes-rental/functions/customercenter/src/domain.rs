//! The my page (마이페이지) read model: one [`MyPage`] row per order, fed only by the order
//! and delivery contexts' events (CQRS; the original's customercenter `Mypage` view). Plain
//! Rust: no I/O.
//!
//! Events arrive at least once and in any order (two topics, one queue). A row is therefore
//! a merge: each status field only moves forward ([`MyPage::apply`]), so a late or repeated
//! event changes nothing, and a row made by an event that overtook its `OrderPlaced` is
//! completed when `OrderPlaced` arrives. Only rows whose `OrderPlaced` arrived are listed.
//!
//! `deliveryStatus` is `Received` from `OrderPlaced` on: the delivery context announces no
//! event when it makes its ticket (the spec lists none), and `OrderPlaced` is what hands the
//! order to the team.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

platform::opaque_id!(
    /// An order's id (opaque here).
    OrderId
);

platform::opaque_id!(
    /// The customer: a token's `sub`.
    CustomerId
);

/// Declares a status enum with a forward rank.
macro_rules! status {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $rank:literal,)+ }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize,
            strum::EnumString, strum::IntoStaticStr, strum::Display, utoipa::ToSchema,
        )]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// How far along: a status moves only to a higher rank.
            fn rank(self) -> u8 {
                match self {
                    $(Self::$variant => $rank,)+
                }
            }
        }
    };
}

status!(
    /// The order's status, as the order context has it.
    OrderStatus {
        /// Placed, not shipped.
        Ordered = 1,
        /// Shipped.
        Shipped = 2,
        /// Cancelled before shipping (terminal).
        Cancelled = 2,
        /// The customer asked to return it.
        ReturnRequested = 3,
        /// Collected back.
        Returned = 4,
    }
);

status!(
    /// The delivery ticket's status.
    DeliveryStatus {
        /// With the team, not shipped.
        Received = 1,
        /// Shipped.
        Shipped = 2,
        /// Cancelled before shipping.
        Cancelled = 2,
    }
);

status!(
    /// The return ticket's status.
    ReturnStatus {
        /// Waiting to be collected.
        Requested = 1,
        /// Collected.
        Collected = 2,
    }
);

/// Moves `current` to `next` if that is forward; `Cancelled` orders stay cancelled.
fn forward<S: Copy + PartialEq>(current: Option<S>, next: S, rank: fn(S) -> u8, terminal: Option<S>) -> Option<S> {
    match current {
        Some(now) if Some(now) == terminal => None,
        Some(now) if rank(now) >= rank(next) => None,
        _ => Some(next),
    }
}

/// What an event says about an order, in the my page's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// `OrderPlaced`.
    Placed {
        /// What.
        product_id: String,
        /// How many.
        qty: u32,
        /// When.
        ordered_at: DateTime<Utc>,
    },
    /// `OrderCancelled`.
    OrderCancelled,
    /// `ReturnRequested`.
    ReturnRequested,
    /// `Shipped`.
    Shipped,
    /// `DeliveryCancelled`.
    DeliveryCancelled,
    /// `ReturnCollected`.
    ReturnCollected,
}

/// One row of a customer's my page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyPage {
    /// The order.
    pub order_id: OrderId,
    /// Whose.
    pub customer_id: CustomerId,
    /// What; `None` until `OrderPlaced` arrived.
    pub product_id: Option<String>,
    /// How many; `None` until `OrderPlaced` arrived.
    pub qty: Option<u32>,
    /// The order's status.
    pub order_status: Option<OrderStatus>,
    /// The delivery ticket's status.
    pub delivery_status: Option<DeliveryStatus>,
    /// The return ticket's status, once a return was asked for.
    pub return_status: Option<ReturnStatus>,
    /// When the order was placed; `None` until `OrderPlaced` arrived (the row is not listed).
    pub ordered_at: Option<DateTime<Utc>>,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version: 0 for a row not stored yet.
    pub version: u64,
}

impl MyPage {
    /// The row of an order the my page has not heard of.
    pub fn blank(order_id: OrderId, customer_id: CustomerId, now: DateTime<Utc>) -> Self {
        Self {
            order_id,
            customer_id,
            product_id: None,
            qty: None,
            order_status: None,
            delivery_status: None,
            return_status: None,
            ordered_at: None,
            updated_at: now.trunc_subsecs(3),
            version: 0,
        }
    }

    /// Whether the row is complete enough to list (its `OrderPlaced` arrived).
    pub fn is_listed(&self) -> bool {
        self.ordered_at.is_some()
    }

    /// The row after `fact`, or `None` when it changes nothing (repeated, late or stale).
    pub fn apply(&self, fact: &Fact, now: DateTime<Utc>) -> Option<Self> {
        let mut next = self.clone();
        let order = |to| forward(self.order_status, to, OrderStatus::rank, Some(OrderStatus::Cancelled));
        let delivery = |to| forward(self.delivery_status, to, DeliveryStatus::rank, None);
        let ret = |to| forward(self.return_status, to, ReturnStatus::rank, None);
        match fact {
            Fact::Placed { product_id, qty, ordered_at } => {
                if self.ordered_at.is_none() {
                    next.product_id = Some(product_id.clone());
                    next.qty = Some(*qty);
                    next.ordered_at = Some(ordered_at.trunc_subsecs(3));
                }
                next.order_status = order(OrderStatus::Ordered).or(next.order_status);
                next.delivery_status = delivery(DeliveryStatus::Received).or(next.delivery_status);
            }
            Fact::OrderCancelled => next.order_status = order(OrderStatus::Cancelled).or(next.order_status),
            Fact::DeliveryCancelled => {
                next.order_status = order(OrderStatus::Cancelled).or(next.order_status);
                next.delivery_status = delivery(DeliveryStatus::Cancelled).or(next.delivery_status);
            }
            Fact::Shipped => {
                next.order_status = order(OrderStatus::Shipped).or(next.order_status);
                next.delivery_status = delivery(DeliveryStatus::Shipped).or(next.delivery_status);
            }
            Fact::ReturnRequested => {
                next.order_status = order(OrderStatus::ReturnRequested).or(next.order_status);
                next.return_status = ret(ReturnStatus::Requested).or(next.return_status);
            }
            Fact::ReturnCollected => {
                next.order_status = order(OrderStatus::Returned).or(next.order_status);
                next.return_status = ret(ReturnStatus::Collected).or(next.return_status);
            }
        }
        if next == *self {
            return None;
        }
        next.updated_at = now.trunc_subsecs(3);
        next.version = self.version + 1;
        Some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-22T01:00:00Z".parse().unwrap()
    }

    fn placed() -> Fact {
        Fact::Placed { product_id: "1001".into(), qty: 5, ordered_at: now() }
    }

    fn blank() -> MyPage {
        MyPage::blank(OrderId::parse("o-1").unwrap(), CustomerId::parse("auth0|kim").unwrap(), now())
    }

    fn after(facts: &[Fact]) -> MyPage {
        facts.iter().fold(blank(), |row, fact| row.apply(fact, now()).unwrap_or(row))
    }

    fn statuses(row: &MyPage) -> (Option<OrderStatus>, Option<DeliveryStatus>, Option<ReturnStatus>) {
        (row.order_status, row.delivery_status, row.return_status)
    }

    #[test]
    fn a_placed_order_shows_ordered_and_received_with_its_clothes() {
        let row = after(&[placed()]);
        assert_eq!(statuses(&row), (Some(OrderStatus::Ordered), Some(DeliveryStatus::Received), None));
        assert_eq!((row.product_id.as_deref(), row.qty, row.version), (Some("1001"), Some(5), 1));
        assert!(row.is_listed());
    }

    #[test]
    fn the_whole_life_of_a_rental_shows_on_the_row() {
        let row = after(&[placed(), Fact::Shipped, Fact::ReturnRequested, Fact::ReturnCollected]);
        assert_eq!(
            statuses(&row),
            (Some(OrderStatus::Returned), Some(DeliveryStatus::Shipped), Some(ReturnStatus::Collected))
        );
        let row = after(&[placed(), Fact::OrderCancelled, Fact::DeliveryCancelled]);
        assert_eq!(statuses(&row), (Some(OrderStatus::Cancelled), Some(DeliveryStatus::Cancelled), None));
    }

    #[test]
    fn any_order_of_arrival_gives_the_same_row() {
        let facts = [placed(), Fact::Shipped, Fact::ReturnRequested, Fact::ReturnCollected];
        let expected = statuses(&after(&facts));
        let mut reversed = facts.clone();
        reversed.reverse();
        assert_eq!(statuses(&after(&reversed)), expected);
        let reversed = after(&reversed);
        assert_eq!((reversed.product_id.as_deref(), reversed.is_listed()), (Some("1001"), true));
        let cancelled = [Fact::DeliveryCancelled, Fact::OrderCancelled, placed()];
        assert_eq!(
            statuses(&after(&cancelled)),
            (Some(OrderStatus::Cancelled), Some(DeliveryStatus::Cancelled), None),
            "a late OrderPlaced does not reopen a cancelled order"
        );
    }

    #[test]
    fn repeated_and_stale_events_change_nothing() {
        let row = after(&[placed(), Fact::Shipped]);
        for fact in [placed(), Fact::Shipped, Fact::OrderCancelled, Fact::DeliveryCancelled] {
            assert_eq!(row.apply(&fact, now()), None, "{fact:?}");
        }
        let cancelled = after(&[placed(), Fact::OrderCancelled]);
        assert_eq!(
            cancelled.apply(&Fact::Shipped, now()).map(|r| r.order_status),
            Some(Some(OrderStatus::Cancelled)),
            "a stray Shipped may mark the ticket but never un-cancels the order"
        );
    }

    #[test]
    fn a_row_before_its_order_placed_is_not_listed() {
        let row = after(&[Fact::Shipped]);
        assert!(!row.is_listed());
        assert_eq!(row.version, 1);
    }
}
