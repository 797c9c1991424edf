//! What the notification context records for each message it sends to a customer. The
//! message itself goes to `NotificationsTopic` as text (subject and body in Korean and
//! English) with message attributes `customerId` and `eventType` (the event that caused
//! it), so email and SMS subscriptions can filter on them.

use platform::envelope::DomainEvent;
use serde::{Deserialize, Serialize};

/// A message was sent to a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerNotified {
    /// The customer.
    pub customer_id: String,
    /// The event that caused it, e.g. `OrderWaited`.
    pub event_type: String,
    /// Subject line.
    pub subject: String,
    /// The text, Korean then English.
    pub text: String,
}

impl DomainEvent for CustomerNotified {
    const TYPE: &'static str = "CustomerNotified";
}

/// Every event the notification context records, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum NotificationEvent {
    /// See [`CustomerNotified`].
    CustomerNotified(CustomerNotified),
}
