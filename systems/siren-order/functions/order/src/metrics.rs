//! The order context's business metrics, in CloudWatch Embedded Metric Format through
//! [`platform::metrics`] (namespace: the stack name; one dimension, `Service` = `order`).
//!
//! Each is recorded where its fact is committed, once per effect: after the write that
//! makes it true, never for a replayed request (same `Idempotency-Key`) nor a duplicate or
//! late event.

use crate::domain::{Order, OrderStatus};

/// Orders placed (count), on `POST /orders`'s first effect.
pub const ORDERS_PLACED: &str = "OrdersPlaced";
/// Won of the orders placed (sum), on placing.
pub const REVENUE: &str = "Revenue";
/// Orders cancelled (count), by the customer or the counter.
pub const ORDERS_CANCELLED: &str = "OrdersCancelled";
/// Orders completed (count), when the counter's completion reaches the order.
pub const ORDERS_COMPLETED: &str = "OrdersCompleted";
/// Milliseconds from placing to the waiting number reaching the order.
pub const PLACED_TO_WAITING: &str = "PlacedToWaitingMs";
/// Milliseconds from placing to the completion reaching the order.
pub const PLACED_TO_COMPLETED: &str = "PlacedToCompletedMs";

/// Records `order`, just placed: one order and its amount.
pub fn placed(order: &Order) {
    platform::metrics::count(ORDERS_PLACED, 1);
    platform::metrics::count(REVENUE, order.amount().get());
}

/// Records `order`, just cancelled.
pub fn cancelled() {
    platform::metrics::count(ORDERS_CANCELLED, 1);
}

/// Records that `order` just moved from status `before` to its status (saved now, not a
/// duplicate): the waiting number or the completion (with the time since it was placed, at
/// `at`), or a cancel. Nothing when the status did not change.
pub fn moved(before: OrderStatus, order: &Order, at: chrono::DateTime<chrono::Utc>) {
    if before == order.status() {
        return;
    }
    match order.status() {
        OrderStatus::Waiting => platform::metrics::milliseconds(PLACED_TO_WAITING, at - order.placed_at()),
        OrderStatus::Completed => {
            platform::metrics::count(ORDERS_COMPLETED, 1);
            platform::metrics::milliseconds(PLACED_TO_COMPLETED, at - order.placed_at());
        }
        OrderStatus::Cancelled => cancelled(),
        OrderStatus::Placed => {}
    }
}
