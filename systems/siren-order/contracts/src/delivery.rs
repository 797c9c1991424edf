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

/// The counter cancelled an order's delivery, or recorded that the order will never get
/// one (from the order context's synchronous `CancelDeliveryFunction` call). Consumed by
/// order: an order not yet `Cancelled` becomes `Cancelled` (and emits `OrderCancelled`),
/// which makes the cancel safe when the order's call timed out after the counter had
/// already committed it. Not published when the order's own `OrderCancelled` caused the
/// cancel (the order is cancelled already; publishing would only echo).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryCancelled {
    /// The cancelled delivery; absent when the order was cancelled before the counter
    /// issued one (`cancelledBeforeIssue`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_id: Option<String>,
    /// The order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// `true` when the counter had not issued a delivery (nor a waiting number) for the
    /// order yet: none ever will be.
    pub cancelled_before_issue: bool,
}

impl DomainEvent for DeliveryCancelled {
    const TYPE: &'static str = "DeliveryCancelled";
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
    /// See [`DeliveryCancelled`].
    DeliveryCancelled(DeliveryCancelled),
}
