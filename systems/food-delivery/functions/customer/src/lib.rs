//! The customer context (고객): it owns no aggregate; it turns every order status change into
//! one notification to the customer (the original's KakaoTalk 카톡 message; Korean, then
//! English), sent through its own outbox to `NotificationsTopic` with the message attributes
//! `customerId` and `eventType`. The report's planned marketing team would take it over.
//!
//! - [`domain`]: which events notify whom with what text; no I/O.
//! - [`application`]: record and send a notification once per event.
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
pub const SOURCE: &str = "customer";
