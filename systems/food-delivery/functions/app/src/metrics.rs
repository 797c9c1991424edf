//! The app context's business metrics, in CloudWatch Embedded Metric Format through
//! [`platform::metrics`] (namespace: the stack name; dimension `Service` = `app`). Each is
//! recorded once per committed effect: never for a replayed request nor a duplicate or late
//! event.

use chrono::{DateTime, Utc};

use crate::domain::{Order, OrderStatus};

/// Orders placed and paid (count).
pub const ORDERS_PLACED: &str = "OrdersPlaced";
/// Won taken by orders placed (sum).
pub const ORDERED_WON: &str = "OrderedWon";
/// Orders whose payment was abandoned: timeout, error, or a crash (count).
pub const PAYMENTS_FAILED: &str = "PaymentsFailed";
/// Orders cancelled, by the customer or by reconciliation (count).
pub const ORDERS_CANCELLED: &str = "OrdersCancelled";
/// Orders dispatched, when `DeliveryDispatched` reaches the order (count).
pub const ORDERS_DISPATCHED: &str = "OrdersDispatched";
/// Milliseconds from ordering to the dispatch reaching the order.
pub const ORDERED_TO_DISPATCHED: &str = "OrderedToDispatchedMs";

/// Records an order just placed and paid.
pub fn placed(order: &Order) {
    platform::metrics::count(ORDERS_PLACED, 1);
    platform::metrics::count(ORDERED_WON, order.amount().get());
}

/// Records an order whose payment was just abandoned.
pub fn payment_failed() {
    platform::metrics::count(PAYMENTS_FAILED, 1);
}

/// Records an order just cancelled.
pub fn cancelled() {
    platform::metrics::count(ORDERS_CANCELLED, 1);
}

/// Records `order`, just moved by a store event at `at`.
pub fn followed(order: &Order, at: DateTime<Utc>) {
    match order.status() {
        OrderStatus::Dispatched => {
            platform::metrics::count(ORDERS_DISPATCHED, 1);
            platform::metrics::milliseconds(ORDERED_TO_DISPATCHED, at - order.record().created_at);
        }
        OrderStatus::Cancelled => cancelled(),
        _ => {}
    }
}
