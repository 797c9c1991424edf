//! Events of the store context (the kitchen), on `StoreEventsTopic`.

use serde::{Deserialize, Serialize};

/// The store started cooking an order (요리시작). Consumed by app (-> `Cooking`) and customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CookingStarted {
    /// The order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
}

/// The store dispatched an order's delivery (배달출발). Consumed by app (-> `Dispatched`) and
/// customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDispatched {
    /// The order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
}

/// The store cancelled an order at app's synchronous request, before cooking (or recorded a
/// tombstone when the order had not reached it). Consumed by app: if its own write was lost
/// (the call timed out), it reconciles the order to `Cancelled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreOrderCancelled {
    /// The order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
}

/// Every event on `StoreEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum StoreEvent {
    /// See [`CookingStarted`].
    CookingStarted(CookingStarted),
    /// See [`DeliveryDispatched`].
    DeliveryDispatched(DeliveryDispatched),
    /// See [`StoreOrderCancelled`].
    StoreOrderCancelled(StoreOrderCancelled),
}
