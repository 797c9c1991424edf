//! Events of the order context, on `OrderEventsTopic`.

use serde::{Deserialize, Serialize};

/// An order was placed (`POST /orders`; the original's `Ordered`, 주문됨). Consumed by
/// delivery (a `Received` delivery ticket), customercenter (a my-page row) and notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPlaced {
    /// Order id.
    pub order_id: String,
    /// Who ordered (the token's `sub`).
    pub customer_id: String,
    /// The clothes ordered, as given (e.g. `"1001"`).
    pub product_id: String,
    /// How many, 1 or more.
    pub qty: u32,
    /// When, RFC 3339 UTC.
    pub ordered_at: String,
}

/// An order was cancelled before it shipped (`POST /orders/{orderId}/cancel`, or the order
/// following `DeliveryCancelled`; the original's `OrdereCancelled`, 주문취소됨). Consumed by
/// customercenter and notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancelled {
    /// Order id.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
}

/// The customer asked to return a shipped order (`POST /orders/{orderId}/return`; the
/// original's `Returned`, 반납됨). Consumed by delivery (a `Requested` return ticket),
/// customercenter and notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnRequested {
    /// Order id.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// The clothes to collect.
    pub product_id: String,
    /// How many.
    pub qty: u32,
}

/// Every event on `OrderEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum OrderEvent {
    /// See [`OrderPlaced`].
    OrderPlaced(OrderPlaced),
    /// See [`OrderCancelled`].
    OrderCancelled(OrderCancelled),
    /// See [`ReturnRequested`].
    ReturnRequested(ReturnRequested),
}
