//! The promotion context (프로모션): for every approved payment, exactly one promotion from
//! the amount paid (the seed's rule: a `DISCOUNT COUPON` from 100000 won, a `BEVERAGE` from
//! 50000, and `amount / 10` mileage points); taken back when the payment is refunded.
//!
//! Read in this order:
//! - [`domain`]: the rule, the Promotion aggregate and its tombstone; no I/O.
//! - [`application`]: the use cases (grant, revoke).
//! - [`ports`]: what they need from storage; [`store`]: the DynamoDB adapter.
//! - [`policies`]: the reactions to payment events; [`wiring`]: the function's configuration.

pub mod application;
pub mod domain;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "promotion";
