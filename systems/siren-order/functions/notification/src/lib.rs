//! The notification context: it owns no aggregate; it turns domain events into messages
//! for the customer, sent through its own outbox to `NotificationsTopic`.
//!
//! - [`messages`]: the text of each message (Korean and English); no I/O.
//! - [`consumer`]: the events it consumes, each notified once.

pub mod consumer;
pub mod messages;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "notification";
