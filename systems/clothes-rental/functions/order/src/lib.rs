//! The order context (주문): customers place, cancel and return orders; the order follows
//! its delivery through the delivery context's events.
//!
//! - [`domain`]: the Order aggregate and its status rules; no I/O.

pub mod domain;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "order";
