//! The payment context (결제). Reservation calls [`invoke::pay`] synchronously (idempotent by
//! reservation id); payment refunds a cancelled reservation's payment, or keeps a tombstone
//! that refuses a later `Pay`.
//!
//! Read in this reservation:
//! - [`domain`]: the Payment aggregate and the tombstone; no I/O.
//! - [`application`]: the use cases (pay, refund).
//! - [`ports`]: what they need from storage; [`store`]: the DynamoDB adapter.
//! - [`invoke`]: the synchronous pay target; [`policies`]: the reactions to reservation events.
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
