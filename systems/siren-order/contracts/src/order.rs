//! Events of the order context, on `OrderEventsTopic`.

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
    pub unit_price: u64,
    /// Quantity, 1..=20.
    pub quantity: u32,
    /// `unit_price * quantity`, in won.
    pub amount: u64,
}

/// An order was placed (from `POST /orders`). Consumed by delivery (a ticket), customer
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
    pub amount: u64,
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
    pub amount: u64,
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
    pub amount: u64,
}

impl DomainEvent for OrderCompleted {
    const TYPE: &'static str = "OrderCompleted";
}
