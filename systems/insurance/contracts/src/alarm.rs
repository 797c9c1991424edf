//! What the alarm context records for each AlimTalk message it sends. The message itself goes
//! to `NotificationsTopic` as text (Korean, then English) with the message attributes
//! `customerId` (the customer number) and `eventType` (the event that caused it).

use serde::{Deserialize, Serialize};

/// A customer was sent a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSent {
    /// The message id.
    pub message_id: String,
    /// The customer number.
    pub customer_no: String,
    /// The plan it is about.
    pub plan_no: String,
    /// The event that caused it, e.g. `ProductDescriptionIssued`.
    pub kind: String,
    /// The text, Korean then English.
    pub text: String,
}

/// Every event the alarm context records, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum AlarmEvent {
    /// See [`MessageSent`].
    MessageSent(MessageSent),
}
