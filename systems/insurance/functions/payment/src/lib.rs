//! The payment context (결제). Proposal calls [`invoke::pay`] synchronously for the first
//! premium (idempotent by proposal number); payment cancels a withdrawn proposal's payment, or
//! keeps a tombstone that refuses a later `Pay`.
//!
//! Read in this order:
//! - [`domain`]: the Payment aggregate and the tombstone; no I/O.
//! - [`application`]: the use cases (pay, cancel).
//! - [`ports`]: what they need from storage; [`store`]: the DynamoDB adapter.
//! - [`invoke`]: the synchronous pay target; [`policies`]: the reactions to proposal events.
//! - [`wiring`]: each function's configuration.

pub mod application;
pub mod domain;
pub mod invoke;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "payment";
