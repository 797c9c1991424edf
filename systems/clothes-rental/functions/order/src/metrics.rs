//! The order context's business metrics, in CloudWatch Embedded Metric Format through
//! [`platform::metrics`] (namespace: the stack name; dimension `Service` = `order`). Each is
//! recorded once per committed effect: never for a replayed request nor a duplicate or late
//! event.

use chrono::{DateTime, Utc};

use crate::domain::{Order, OrderStatus};

/// Orders placed (count).
pub const ORDERS_PLACED: &str = "OrdersPlaced";
/// Orders cancelled (count), by the customer or by reconciliation.
pub const ORDERS_CANCELLED: &str = "OrdersCancelled";
/// Orders shipped (count), when `Shipped` reaches the order.
pub const ORDERS_SHIPPED: &str = "OrdersShipped";
/// Returns requested (count).
pub const RETURNS_REQUESTED: &str = "ReturnsRequested";
/// Orders returned (count), when `ReturnCollected` reaches the order.
pub const ORDERS_RETURNED: &str = "OrdersReturned";
/// Milliseconds from placing to the shipment reaching the order.
pub const ORDERED_TO_SHIPPED: &str = "OrderedToShippedMs";

/// Records an order just placed.
pub fn placed() {
    platform::metrics::count(ORDERS_PLACED, 1);
}

/// Records an order just cancelled.
pub fn cancelled() {
    platform::metrics::count(ORDERS_CANCELLED, 1);
}

/// Records a return just requested.
pub fn return_requested() {
    platform::metrics::count(RETURNS_REQUESTED, 1);
}

/// Records `order`, just moved by a delivery event at `at`.
pub fn followed(order: &Order, at: DateTime<Utc>) {
    match order.status() {
        OrderStatus::Shipped => {
            platform::metrics::count(ORDERS_SHIPPED, 1);
            platform::metrics::milliseconds(ORDERED_TO_SHIPPED, at - order.ordered_at());
        }
        OrderStatus::Returned => platform::metrics::count(ORDERS_RETURNED, 1),
        OrderStatus::Cancelled => cancelled(),
        OrderStatus::Ordered | OrderStatus::ReturnRequested => {}
    }
}
