//! The store's rules: the [`StoreOrder`] (the template's 주문관리) and the [`Desk`] entry of an
//! order. Plain Rust: no I/O.
//!
//! Status: `Received` (주문정보받음) -> `Cooking` -> `Dispatched`; `Received` -> `Cancelled`.
//! Every change is conditional on the current status (and, stored, on the version): steps
//! out of order are refused. An order cancelled before its `OrderPlaced` arrived gets a
//! `Cancelled` tombstone, so the late `OrderPlaced` makes no store order.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

platform::opaque_id!(
    /// The order (the app's id, opaque here): a store order's identity.
    OrderId
);

platform::opaque_id!(
    /// Who ordered.
    CustomerId
);

/// Where a store order is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display, utoipa::ToSchema,
)]
pub enum StoreStatus {
    /// Received, not cooking yet (주문정보받음): the only status that may be cancelled.
    Received,
    /// Cooking.
    Cooking,
    /// The delivery left (배달출발): the end.
    Dispatched,
    /// Cancelled before cooking: the end.
    Cancelled,
}

/// What the store publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreEvent {
    /// `CookingStarted`.
    CookingStarted {
        /// The order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
    },
    /// `DeliveryDispatched`.
    DeliveryDispatched {
        /// The order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
    },
    /// `StoreOrderCancelled`.
    Cancelled {
        /// The order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
    },
}

/// Why the store cannot move an order to the asked status (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    /// Not the next step (e.g. `Dispatched` before `Cooking`, or back to `Cooking`).
    #[error("the order is {from}; it cannot go to {to} (Received -> Cooking -> Dispatched)")]
    OutOfOrder {
        /// Where it is.
        from: StoreStatus,
        /// Where it was asked to go.
        to: StoreStatus,
    },
    /// It was cancelled.
    #[error("the order was cancelled")]
    Cancelled,
    /// Only `Cooking` and `Dispatched` can be asked for.
    #[error("{0} is not a step the store takes")]
    NotAStep(StoreStatus),
}

/// Why the store refuses to cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CancelRefused {
    /// Cooking has started.
    #[error("cooking has started")]
    Cooking,
    /// The delivery has left.
    #[error("the delivery has left")]
    Dispatched,
}

/// A store order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOrder {
    /// Its order (identity).
    pub order_id: OrderId,
    /// Who ordered.
    pub customer_id: CustomerId,
    /// The menu item.
    pub item: String,
    /// How many.
    pub quantity: u32,
    /// Where it is.
    pub status: StoreStatus,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version: 1 when received, +1 per change.
    pub version: u64,
}

impl StoreOrder {
    /// A paid order received at `now` (from its `OrderPlaced`; no event).
    pub fn receive(
        order_id: OrderId,
        customer_id: CustomerId,
        item: String,
        quantity: u32,
        now: DateTime<Utc>,
    ) -> Self {
        let now = now.trunc_subsecs(3);
        Self {
            order_id,
            customer_id,
            item,
            quantity,
            status: StoreStatus::Received,
            received_at: now,
            updated_at: now,
            version: 1,
        }
    }

    fn moved(&self, to: StoreStatus, now: DateTime<Utc>) -> Self {
        Self { status: to, updated_at: now.trunc_subsecs(3), version: self.version + 1, ..self.clone() }
    }

    /// Moves it to `to` (`Cooking`: says `CookingStarted`; `Dispatched`: says
    /// `DeliveryDispatched`). Asking for the status it is in answers it unchanged, no events.
    ///
    /// # Errors
    /// [`MoveError`] for a step out of order, a cancelled order, or a status that is no step.
    pub fn move_to(&self, to: StoreStatus, now: DateTime<Utc>) -> Result<(Self, Vec<StoreEvent>), MoveError> {
        let (order_id, customer_id) = (self.order_id.clone(), self.customer_id.clone());
        match (self.status, to) {
            (_, StoreStatus::Received | StoreStatus::Cancelled) => Err(MoveError::NotAStep(to)),
            (StoreStatus::Cancelled, _) => Err(MoveError::Cancelled),
            (from, to) if from == to => Ok((self.clone(), Vec::new())),
            (StoreStatus::Received, StoreStatus::Cooking) => {
                Ok((self.moved(StoreStatus::Cooking, now), vec![StoreEvent::CookingStarted { order_id, customer_id }]))
            }
            (StoreStatus::Cooking, StoreStatus::Dispatched) => Ok((
                self.moved(StoreStatus::Dispatched, now),
                vec![StoreEvent::DeliveryDispatched { order_id, customer_id }],
            )),
            (from, to) => Err(MoveError::OutOfOrder { from, to }),
        }
    }

    /// Cancels a `Received` order (says `StoreOrderCancelled`); cancelled already: unchanged,
    /// no events.
    ///
    /// # Errors
    /// [`CancelRefused`] once cooking started.
    pub fn cancel(&self, now: DateTime<Utc>) -> Result<(Self, Vec<StoreEvent>), CancelRefused> {
        match self.status {
            StoreStatus::Received => Ok((
                self.moved(StoreStatus::Cancelled, now),
                vec![StoreEvent::Cancelled { order_id: self.order_id.clone(), customer_id: self.customer_id.clone() }],
            )),
            StoreStatus::Cancelled => Ok((self.clone(), Vec::new())),
            StoreStatus::Cooking => Err(CancelRefused::Cooking),
            StoreStatus::Dispatched => Err(CancelRefused::Dispatched),
        }
    }
}

/// What the store knows about an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Desk {
    /// Its store order.
    Order(StoreOrder),
    /// It was cancelled before it arrived: its `OrderPlaced` is ignored.
    Tombstone,
}

/// The event a tombstone publishes: `StoreOrderCancelled`, as a cancel would.
pub fn tombstone_events(order_id: &OrderId, customer_id: &CustomerId) -> Vec<StoreEvent> {
    vec![StoreEvent::Cancelled { order_id: order_id.clone(), customer_id: customer_id.clone() }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-22T01:00:00.123456Z".parse().unwrap()
    }

    fn received() -> StoreOrder {
        let order = OrderId::parse("019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90").unwrap();
        StoreOrder::receive(order, CustomerId::parse("auth0|kim").unwrap(), "chicken".into(), 2, now())
    }

    fn at(status: StoreStatus) -> StoreOrder {
        StoreOrder { status, ..received() }
    }

    #[test]
    fn a_store_order_is_received_then_cooked_then_dispatched_each_step_saying_so() {
        let order = received();
        assert_eq!((order.status, order.version), (StoreStatus::Received, 1));
        let (cooking, events) = order.move_to(StoreStatus::Cooking, now()).unwrap();
        assert_eq!((cooking.status, cooking.version), (StoreStatus::Cooking, 2));
        assert!(matches!(events.as_slice(), [StoreEvent::CookingStarted { .. }]));
        let (dispatched, events) = cooking.move_to(StoreStatus::Dispatched, now()).unwrap();
        assert_eq!((dispatched.status, dispatched.version), (StoreStatus::Dispatched, 3));
        assert!(matches!(events.as_slice(), [StoreEvent::DeliveryDispatched { .. }]));
        assert_eq!(dispatched.move_to(StoreStatus::Dispatched, now()), Ok((dispatched.clone(), vec![])), "a repeat");
    }

    #[test]
    fn steps_out_of_order_and_on_a_cancelled_order_are_refused() {
        use StoreStatus::{Cancelled, Cooking, Dispatched, Received};
        assert_eq!(
            received().move_to(Dispatched, now()),
            Err(MoveError::OutOfOrder { from: Received, to: Dispatched })
        );
        assert_eq!(
            at(Dispatched).move_to(Cooking, now()),
            Err(MoveError::OutOfOrder { from: Dispatched, to: Cooking })
        );
        assert_eq!(at(Cancelled).move_to(Cooking, now()), Err(MoveError::Cancelled));
        assert_eq!(at(Cancelled).move_to(Dispatched, now()), Err(MoveError::Cancelled));
        assert_eq!(received().move_to(Received, now()), Err(MoveError::NotAStep(Received)));
        assert_eq!(received().move_to(Cancelled, now()), Err(MoveError::NotAStep(Cancelled)));
    }

    #[test]
    fn only_a_received_order_cancels_once() {
        let (cancelled, events) = received().cancel(now()).unwrap();
        assert_eq!(cancelled.status, StoreStatus::Cancelled);
        assert!(matches!(events.as_slice(), [StoreEvent::Cancelled { .. }]));
        assert_eq!(cancelled.cancel(now()), Ok((cancelled.clone(), vec![])));
        assert_eq!(at(StoreStatus::Cooking).cancel(now()), Err(CancelRefused::Cooking));
        assert_eq!(at(StoreStatus::Dispatched).cancel(now()), Err(CancelRefused::Dispatched));
    }
}
