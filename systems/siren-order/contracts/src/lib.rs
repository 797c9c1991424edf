//! SirenOrder's message contracts, in one library used by producers and consumers alike
//! (the producing context builds these, the consuming contexts read them).
//!
//! - Domain event payloads (the envelope's `data`; see [`platform::envelope`]), one module
//!   per producing context, with the topic they are published to.
//! - Synchronous `Invoke` requests and responses ([`product_check`], [`delivery_cancel`]).
//!
//! Money is in won ([`platform::Won`], a whole number on the wire), times are RFC 3339 UTC
//! strings, ids are opaque strings. Each topic has one event enum (`OrderEvent`, ...),
//! adjacently tagged by the envelope's `type`; `tests/golden.rs` reads every sample event
//! of the system against these types.

pub mod customer;
pub mod delivery;
pub mod delivery_cancel;
pub mod notification;
pub mod order;
pub mod product;
pub mod product_check;
