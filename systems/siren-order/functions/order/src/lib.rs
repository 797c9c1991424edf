//! The order context: customers place and cancel orders; the order follows its ticket at
//! the counter (Placed -> Waiting -> Completed, or Cancelled).
//!
//! - [`domain`]: the Order aggregate; no I/O.
//! - [`store`]: the DynamoDB adapter (orders, the by-customer index, idempotency records,
//!   outbox).
//! - [`ports`]: the synchronous calls it makes (product check, ticket cancel).
//! - [`http`]: the API Gateway handlers.
//! - [`consumer`]: the delivery events it consumes.

pub mod consumer;
pub mod domain;
pub mod http;
pub mod ports;
pub mod store;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "order";
