//! The delivery context, the counter: it takes each placed order as a ticket with the
//! day's next waiting number, the barista moves the ticket on, and the order context may
//! ask it (synchronously) to cancel a ticket the barista has not started.
//!
//! - [`domain`]: the Ticket aggregate; no I/O.
//! - [`store`]: the DynamoDB adapter (tickets, the per-order guard, the daily counter).
//! - [`counter`]: issuing and cancelling tickets, shared by the consumer and the sync target.
//! - [`http`]: the barista's API Gateway handlers.
//! - [`consumer`]: the order events it consumes.

pub mod consumer;
pub mod counter;
pub mod domain;
pub mod http;
pub mod store;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "delivery";
