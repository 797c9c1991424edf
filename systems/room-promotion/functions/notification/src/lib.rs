//! The notification context (알림, the original's Notice service): turns reservation,
//! payment and promotion events into customer messages on the notifications topic, once per
//! event.
//!
//! Read in this order: [`domain`] (which event says what; no I/O), [`ports`], [`store`],
//! [`policies`] (the consumer), [`wiring`].

pub mod domain;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context records.
pub const SOURCE: &str = "notification";
