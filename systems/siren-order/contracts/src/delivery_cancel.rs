//! The synchronous delivery cancel: order -> delivery (`CancelDeliveryFunction`).
//!
//! Request `{"orderId": "...", "customerId": "..."}`; response `{"result": "Cancelled" | "AlreadyStarted"}`.
//! `Cancelled` also when the counter has no delivery yet: the delivery context then records
//! the cancellation so that the order's late `OrderPlaced` issues no delivery.
//!
//! Whenever this call changes something at the counter, the delivery context also
//! publishes `DeliveryCancelled` (see [`crate::delivery::DeliveryCancelled`]): if the
//! caller timed out after the counter committed, the order still learns of it.

use serde::{Deserialize, Serialize};

/// The request payload.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelDeliveryRequest {
    /// The order whose delivery to cancel.
    pub order_id: String,
    /// Who ordered: carried by `DeliveryCancelled` when the counter has no delivery of the
    /// order yet (and so does not know the customer).
    pub customer_id: String,
}

/// What the counter answered.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
pub enum CancelDeliveryResult {
    /// The delivery is cancelled (or will never be issued).
    Cancelled,
    /// The barista has started (Preparing) or finished (Completed): too late.
    AlreadyStarted,
}

/// The response payload.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CancelDeliveryResponse {
    /// The answer.
    pub result: CancelDeliveryResult,
}
