//! Events of the delivery context, on `DeliveryEventsTopic`.

use serde::{Deserialize, Serialize};

/// The delivery team shipped an order's clothes (`POST /deliveries/{deliveryId}/ship`;
/// 배송됨). Consumed by order (-> `Shipped`), customercenter and notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shipped {
    /// The delivery ticket.
    pub delivery_id: String,
    /// Its order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
}

/// An order's delivery was cancelled before it shipped, at the order context's synchronous
/// request (배송취소됨). Consumed by order (reconciliation: an `Ordered` order becomes
/// `Cancelled` even when the call timed out) and customercenter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryCancelled {
    /// The cancelled ticket; `null` when the order had no ticket yet (its `OrderPlaced` had not
    /// arrived) and the cancellation is a tombstone that keeps one from ever being made.
    pub delivery_id: Option<String>,
    /// Its order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
}

/// The delivery team collected a returned order's clothes
/// (`POST /deliveries/{deliveryId}/collect`; 회수됨). Consumed by order (-> `Returned`),
/// customercenter and notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnCollected {
    /// The return ticket.
    pub delivery_id: String,
    /// Its order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
}

/// Every event on `DeliveryEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum DeliveryEvent {
    /// See [`Shipped`].
    Shipped(Shipped),
    /// See [`DeliveryCancelled`].
    DeliveryCancelled(DeliveryCancelled),
    /// See [`ReturnCollected`].
    ReturnCollected(ReturnCollected),
}
