//! The customer context: customers sign up, get welcome points, and see their profile.
//!
//! - [`domain`]: the Customer aggregate and its validated values; no I/O.
//! - [`events`]: the domain events this context publishes.
//! - [`store`]: the DynamoDB adapter (customer items, email uniqueness, outbox).
//! - [`http`]: the API Gateway handlers.

pub mod consumer;
pub mod domain;
pub mod events;
pub mod http;
pub mod store;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "customer";
