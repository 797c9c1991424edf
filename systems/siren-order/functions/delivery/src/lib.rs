//! The delivery context, the shop counter: each placed order becomes a delivery with the
//! day's next waiting number, the barista moves deliveries on, and the order context may ask
//! (synchronously) to cancel one the barista has not started.
//!
//! Read in this order:
//! - [`domain`]: the Delivery aggregate and the waiting-number rules; no I/O.
//! - [`application`]: the use cases (list the queue, move, cancel, issue a waiting number).
//! - [`ports`]: what the use cases need from storage.
//! - [`store`]: the DynamoDB adapter implementing the ports.
//! - [`http`]: the barista's API Gateway handlers.
//! - [`policies`]: the reactions to order events.
//! - [`invoke`]: the synchronous cancel target the order context calls.
//! - [`wiring`]: each function's configuration.

pub mod application;
pub mod domain;
pub mod http;
pub mod invoke;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "delivery";
