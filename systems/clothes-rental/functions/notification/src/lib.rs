//! The notification context (메일): it owns no aggregate; it turns every order status change
//! into one mail (Korean, then English), sent through its own outbox to `NotificationsTopic`
//! with the message attributes `customerId` and `eventType`.
//!
//! - [`domain`]: which events mail whom with what text; no I/O.
//! - [`application`]: record and send a mail once per event.
//! - [`ports`]: what it needs from storage; [`store`]: the DynamoDB adapter (inbox + outbox).
//! - [`policies`]: the consumer, [`policies::notify_customer`].
//! - [`wiring`]: the function's configuration.

pub mod application;
pub mod domain;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "notification";
