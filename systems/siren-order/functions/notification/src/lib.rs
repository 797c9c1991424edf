//! The notification context: it owns no aggregate; it turns the domain events a customer
//! cares about into one message each (Korean, then English), sent through its own outbox
//! to `NotificationsTopic` with the message attributes `customerId` and `eventType`.
//!
//! - [`domain`]: which events notify whom with what text; no I/O.
//! - [`application`]: the use case: record and send a notification once per event.
//! - [`ports`]: what the use case needs from storage.
//! - [`store`]: the DynamoDB adapter (inbox + outbox in one transaction).
//! - [`policies`]: the consumer of `NotificationInboxQueue`, [`policies::notify_customer`].
//! - [`wiring`]: the function's configuration.

pub mod application;
pub mod domain;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "notification";
