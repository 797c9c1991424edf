//! The order context: customers place and cancel orders; the order follows its delivery
//! at the counter (Placed -> Waiting -> Completed, or Cancelled).
//!
//! - [`domain`]: the Order aggregate, its rules and events; no I/O.
//! - [`application`]: the use cases (place, get, list, cancel).
//! - [`policies`]: the event consumer (`follow_delivery`).
//! - [`ports`]: what they need: orders' storage, the product context's prices, the
//!   counter's consent to cancel.
//! - [`store`]: the DynamoDB adapter; [`calls`]: the synchronous-call adapters.
//! - [`http`]: the API Gateway handlers; [`wiring`]: each function's configuration.
//! - [`metrics`]: the business metrics (orders placed, cancelled, completed, revenue, times).

pub mod application;
pub mod calls;
pub mod domain;
pub mod http;
pub mod metrics;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "order";
