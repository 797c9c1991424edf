//! Events of the order context, on `OrderEventsTopic`.

use platform::Won;
use platform::envelope::DomainEvent;
use serde::{Deserialize, Serialize};

/// One line of an order: the product's name and unit price when it was ordered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    /// Product id.
    pub product_id: String,
    /// Product name at order time.
    pub name: String,
    /// Unit price in won at order time.
    pub unit_price: Won,
    /// Quantity, 1..=20.
    pub quantity: u32,
    /// `unit_price * quantity`, in won.
    pub amount: Won,
}

/// An order was placed (from `POST /orders`). Consumed by delivery (a waiting number), customer
/// (points) and report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPlaced {
    /// Order id.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// What was ordered.
    pub lines: Vec<OrderLine>,
    /// Total in won.
    pub amount: Won,
    /// When, RFC 3339 UTC.
    pub placed_at: String,
}

impl DomainEvent for OrderPlaced {
    const TYPE: &'static str = "OrderPlaced";
}

/// An order was cancelled before the counter started it (from
/// `POST /orders/{orderId}/cancel`). Consumed by customer (points back), delivery,
/// report and notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancelled {
    /// Order id.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// The order's total in won.
    pub amount: Won,
    /// Why, e.g. `CustomerRequest`.
    pub reason: String,
}

impl DomainEvent for OrderCancelled {
    const TYPE: &'static str = "OrderCancelled";
}

/// An order was completed (the counter completed its delivery). Consumed by report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCompleted {
    /// Order id.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// Total in won.
    pub amount: Won,
}

impl DomainEvent for OrderCompleted {
    const TYPE: &'static str = "OrderCompleted";
}

/// Every event on `OrderEventsTopic`, by its envelope `type`: what the order context
/// emits ([`platform::EventEnvelope::wrap`]) and its consumers decode
/// ([`platform::EventEnvelope::decode`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum OrderEvent {
    /// See [`OrderPlaced`].
    OrderPlaced(OrderPlaced),
    /// See [`OrderCancelled`].
    OrderCancelled(OrderCancelled),
    /// See [`OrderCompleted`].
    OrderCompleted(OrderCompleted),
}
