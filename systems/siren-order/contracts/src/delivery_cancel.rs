//! The synchronous delivery cancel: order -> delivery (`CancelDeliveryFunction`).
//!
//! Request `{"orderId": "..."}`; response `{"result": "Cancelled" | "AlreadyStarted"}`.
//! `Cancelled` also when the counter has no delivery yet: the delivery context then records
//! the cancellation so that the order's late `OrderPlaced` issues no delivery.

use serde::{Deserialize, Serialize};

/// The request payload.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelDeliveryRequest {
    /// The order whose delivery to cancel.
    pub order_id: String,
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
