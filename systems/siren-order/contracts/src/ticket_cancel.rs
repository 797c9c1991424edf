//! The synchronous ticket cancel: order -> delivery (`CancelTicketFunction`).
//!
//! Request `{"orderId": "..."}`; response `{"result": "Cancelled" | "AlreadyStarted"}`.
//! `Cancelled` also when the counter has no ticket yet: the delivery context then records
//! the cancellation so that the order's late `OrderPlaced` issues no ticket.

use serde::{Deserialize, Serialize};

/// The request payload.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelTicketRequest {
    /// The order whose ticket to cancel.
    pub order_id: String,
}

/// What the counter answered.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
pub enum CancelTicketResult {
    /// The ticket is cancelled (or will never be issued).
    Cancelled,
    /// The barista has started (Preparing) or finished (Completed): too late.
    AlreadyStarted,
}

/// The response payload.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CancelTicketResponse {
    /// The answer.
    pub result: CancelTicketResult,
}
