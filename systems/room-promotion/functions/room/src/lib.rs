//! The room context (객실): the room team registers rooms with a nightly price, changes the
//! price, closes and reopens them; anyone lists the rooms that can be booked. Every change is
//! a room event, from which reservation keeps its own copy.
//!
//! Read in this order: [`domain`] (the Room aggregate; no I/O), [`application`] (the use
//! cases), [`ports`] (what they need from storage), [`store`] (the DynamoDB adapter),
//! [`http`] (the handlers), [`wiring`] (the configuration).

pub mod application;
pub mod domain;
pub mod http;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "room";
