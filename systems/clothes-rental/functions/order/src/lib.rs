//! The order context (주문): customers place, cancel and return orders; the order follows
//! its clothes through the delivery context's events.
//!
//! Read in this order:
//! - [`domain`]: the Order aggregate and its status rules; no I/O.
//! - [`application`]: the use cases (place, get, cancel, return, follow delivery).
//! - [`ports`]: what the use cases need (storage, delivery's consent to cancel).
//! - [`store`]: the DynamoDB adapter; [`calls`]: the synchronous cancel call.
//! - [`http`]: the API Gateway handlers; [`policies`]: the delivery-event consumer.
//! - [`wiring`]: each function's configuration; [`metrics`]: the business metrics.

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
