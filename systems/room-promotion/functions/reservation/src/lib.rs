//! The reservation context (예약): customers reserve a room's nights (never one night
//! twice), pay through a synchronous call to payment (timeout + breaker), and cancel before
//! check-in; the reservation follows its payment and promotion through their events, and
//! keeps its own copy of every room from room events.
//!
//! Read in this order:
//! - [`domain`]: the Reservation aggregate, its nights and the room copy; no I/O.
//! - [`application`]: the use cases.
//! - [`ports`]: what they need (storage, payment).
//! - [`store`]: the DynamoDB adapter; [`calls`]: the synchronous pay call.
//! - [`http`]: the API Gateway handlers; [`policies`]: the event consumer.
//! - [`wiring`]: each function's configuration.

pub mod application;
pub mod calls;
pub mod domain;
pub mod http;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "reservation";
