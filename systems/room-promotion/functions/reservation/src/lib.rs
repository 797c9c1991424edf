//! The reservation context (예약): customers reserve a room's nights (never one night
//! twice), pay through a synchronous call to payment (timeout + breaker), and cancel before
//! check-in; the reservation follows its payment and promotion through their events, and
//! keeps its own copy of every room from room events.
//!
//! Read in this order:
//! - [`domain`]: the Reservation aggregate, its nights and the room copy; no I/O.
//! - [`application`]: the use cases.
//! - [`ports`]: what they need (storage, payment).

pub mod application;
pub mod domain;
pub mod ports;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "reservation";
