//! The pay context (결제): the payment history (결제이력). App calls [`invoke::pay`]
//! synchronously for each order (idempotent by order id); pay refunds a cancelled order and
//! voids (or refuses ahead, with a tombstone) a payment the app abandoned.
//!
//! Read in this order:
//! - [`domain`]: the Payment aggregate and the tombstone; no I/O.
//! - [`application`]: the use cases (pay, refund, void).
//! - [`ports`]: what they need from storage; [`store`]: the DynamoDB adapter.
//! - [`invoke`]: the synchronous pay target; [`policies`]: the reactions to order events.
//! - [`wiring`]: each function's configuration.

pub mod application;
pub mod domain;
pub mod invoke;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "pay";
