//! The customer context: customers sign up under their token's `sub` with welcome points,
//! see their profile, and earn points by ordering (taken back when an order is cancelled).
//!
//! - [`domain`]: the Customer aggregate, its values, and the points ledger rule; no I/O.
//! - [`application`]: the use cases `register_customer`, `get_customer`.
//! - [`policies`]: the event consumer `earn_points`.
//! - [`ports`]: what the use cases need from storage.
//! - [`store`]: the DynamoDB adapter (customers, email claims, ledger entries, outbox, inbox).
//! - [`http`]: the API Gateway handlers.
//! - [`wiring`]: typed configuration per function.

pub mod application;
pub mod domain;
pub mod http;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "customer";
