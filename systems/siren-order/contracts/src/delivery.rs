//! Events of the delivery context (the counter), on `DeliveryEventsTopic`.

use platform::envelope::DomainEvent;
use serde::{Deserialize, Serialize};

/// The counter took the order and issued a waiting number (from consuming
/// `OrderPlaced`). Consumed by order (-> Waiting), notification and report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderWaited {
    /// The delivery (the counter's ticket for the order).
    pub delivery_id: String,
    /// The order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// The day's waiting number, from 1.
    pub waiting_number: u32,
}

impl DomainEvent for OrderWaited {
    const TYPE: &'static str = "OrderWaited";
}

/// The barista started making the order (from `PATCH /deliveries/{id}` Preparing).
/// Consumed by order (no more cancelling) and notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryStarted {
    /// The delivery (the counter's ticket for the order).
    pub delivery_id: String,
    /// The order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
}

impl DomainEvent for DeliveryStarted {
    const TYPE: &'static str = "DeliveryStarted";
}

/// The drink is ready (from `PATCH /deliveries/{id}` Completed). Consumed by order
/// (-> Completed) and notification ("ready").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryCompleted {
    /// The delivery (the counter's ticket for the order).
    pub delivery_id: String,
    /// The order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// The delivery's waiting number.
    pub waiting_number: u32,
}

impl DomainEvent for DeliveryCompleted {
    const TYPE: &'static str = "DeliveryCompleted";
}

/// Every event on `DeliveryEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum DeliveryEvent {
    /// See [`OrderWaited`].
    OrderWaited(OrderWaited),
    /// See [`DeliveryStarted`].
    DeliveryStarted(DeliveryStarted),
    /// See [`DeliveryCompleted`].
    DeliveryCompleted(DeliveryCompleted),
}
