//! The delivery context (배송): the delivery team's tickets. A placed order becomes a
//! `Received` delivery ticket, a return request a `Requested` return ticket; the team ships
//! and collects; the order context may ask (synchronously) to cancel a delivery that has not
//! shipped.
//!
//! Read in this order:
//! - [`domain`]: the Delivery ticket and its rules; no I/O.
//! - [`application`]: the use cases (queue, ship, collect, cancel, receive).
//! - [`ports`]: what the use cases need from storage; [`store`]: the DynamoDB adapter.
//! - [`http`]: the team's handlers; [`invoke`]: the synchronous cancel target;
//!   [`policies`]: the reactions to order events.
//! - [`wiring`]: each function's configuration; [`metrics`]: the business metrics.

pub mod application;
pub mod domain;
pub mod http;
pub mod invoke;
pub mod metrics;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "delivery";
