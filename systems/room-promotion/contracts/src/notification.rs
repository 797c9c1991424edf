//! What the notification context records for each message it sends. The message itself goes
//! to `NotificationsTopic` as text (Korean, then English) with the message attributes
//! `customerId` and `eventType` (the event that caused it).

use serde::{Deserialize, Serialize};

/// A customer was notified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerNotified {
    /// The customer.
    pub customer_id: String,
    /// The reservation it is about.
    pub reservation_id: String,
    /// The event that caused it, e.g. `PromotionGranted`.
    pub event_type: String,
    /// Subject line.
    pub subject: String,
    /// The text, Korean then English.
    pub text: String,
}

/// Every event the notification context records, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum NotificationEvent {
    /// See [`CustomerNotified`].
    CustomerNotified(CustomerNotified),
}
