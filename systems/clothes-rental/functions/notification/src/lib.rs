//! The notification context (메일): it owns no aggregate; it turns every order status change
//! into one mail (Korean, then English), sent through its own outbox to `NotificationsTopic`
//! with the message attributes `customerId` and `eventType`.
//!
//! - [`domain`]: which events mail whom with what text; no I/O.

pub mod domain;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "notification";
