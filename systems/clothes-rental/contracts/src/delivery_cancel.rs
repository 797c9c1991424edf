//! The synchronous delivery cancel: order -> delivery (`CancelDeliveryFunction`), called
//! through the platform's shared circuit breaker with a timeout (`SyncCallTimeoutMs`, 610 ms
//! by default, the original's Hystrix timeout).
//!
//! Request `{"orderId": "...", "customerId": "..."}`; response `{"cancelled": true}` or
//! `{"cancelled": false, "reason": "Shipped"}`. Idempotent: asking twice answers the same.
//! `cancelled: true` also when the order has no ticket yet: delivery then records a
//! `Cancelled` tombstone, so the order's late `OrderPlaced` makes no ticket.
//!
//! Whenever the call changes something, delivery also publishes `DeliveryCancelled`
//! ([`crate::delivery::DeliveryCancelled`]) in the same transaction: if the caller timed out
//! after delivery committed, the order still learns of it.

use serde::{Deserialize, Serialize};

/// The request payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelDeliveryRequest {
    /// The order whose delivery to cancel.
    pub order_id: String,
    /// Who ordered: carried by `DeliveryCancelled`, also for a tombstone.
    pub customer_id: String,
}

/// Why delivery refused to cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Refusal {
    /// The clothes have left: too late.
    Shipped,
}

/// The response payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelDeliveryResponse {
    /// Whether the delivery is cancelled (or will never be made).
    pub cancelled: bool,
    /// Why not, when `cancelled` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Refusal>,
}
