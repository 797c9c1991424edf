//! The delivery context (배송): the delivery team's tickets. A placed order becomes a
//! `Received` delivery ticket, a return request a `Requested` return ticket; the team ships
//! and collects; the order context may ask (synchronously) to cancel a delivery that has
//! not shipped.
//!
//! - [`domain`]: the Delivery ticket and its rules; no I/O.

pub mod domain;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "delivery";
