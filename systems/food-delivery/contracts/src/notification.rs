//! What the customer context records for each notification it sends. The message itself
//! goes to `NotificationsTopic` as text (Korean, then English) with the message attributes
//! `customerId` and `eventType` (the event that caused it), so subscriptions (the KakaoTalk
//! sender, e-mail) can filter on them.

use serde::{Deserialize, Serialize};

/// A customer was notified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerNotified {
    /// The customer.
    pub customer_id: String,
    /// The order it is about.
    pub order_id: String,
    /// The event that caused it, e.g. `DeliveryDispatched`.
    pub event_type: String,
    /// Subject line.
    pub subject: String,
    /// The text, Korean then English.
    pub text: String,
}

/// Every event the customer context records, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum NotificationEvent {
    /// See [`CustomerNotified`].
    CustomerNotified(CustomerNotified),
}
