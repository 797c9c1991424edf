//! The synchronous store cancel: app -> store (`CancelStoreOrderFunction`), called through the
//! platform's shared circuit breaker with a timeout (`SyncCallTimeoutMs`).
//!
//! Request `{"orderId", "customerId"}`; response `{"cancelled": true}` or `{"cancelled":
//! false, "reason": "Cooking"}` (or `"Dispatched"`). Idempotent: asking twice answers the same.
//! `cancelled: true` also when the order has not reached the store yet: the store then keeps a
//! `Cancelled` tombstone, so the order's late `OrderPlaced` is ignored.
//!
//! Whenever the call changes something, the store also publishes `StoreOrderCancelled` in the
//! same transaction: if the caller timed out after the store committed, the app still learns
//! of it.

use serde::{Deserialize, Serialize};

/// The request payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelStoreOrderRequest {
    /// The order to cancel.
    pub order_id: String,
    /// Who ordered: carried by `StoreOrderCancelled`, also for a tombstone.
    pub customer_id: String,
}

/// Why the store refused to cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Refusal {
    /// Cooking has started.
    Cooking,
    /// The delivery has left.
    Dispatched,
}

/// The response payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelStoreOrderResponse {
    /// Whether the store order is cancelled (or will never be cooked).
    pub cancelled: bool,
    /// Why not, when `cancelled` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Refusal>,
}
