//! What the notification context records for each mail it sends. The message itself goes to
//! `NotificationsTopic` as text (subject and body in Korean and English) with message
//! attributes `customerId` and `eventType` (the event that caused it), so email
//! subscriptions can filter on them.

use serde::{Deserialize, Serialize};

/// A mail was sent to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerNotified {
    /// The customer.
    pub customer_id: String,
    /// The order it is about.
    pub order_id: String,
    /// The event that caused it, e.g. `Shipped`.
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
