//! Clothes rental's message contracts, in one library used by producers and consumers alike
//! (the producing context builds these, the consuming contexts read them).
//!
//! - Domain event payloads (the envelope's `data`; see [`platform::envelope`]), one module
//!   per producing context, with the topic they are published to.
//! - The synchronous `Invoke` request and response of the delivery cancel ([`delivery_cancel`]).
//!
//! Times are RFC 3339 UTC strings, ids are opaque strings, quantities whole numbers. Each
//! topic has one event enum (`OrderEvent`, `DeliveryEvent`), adjacently tagged by the
//! envelope's `type`; `tests/golden.rs` reads every sample event of the system against these
//! types. The envelope's `correlationId` is the order id.

pub mod delivery;
pub mod delivery_cancel;
pub mod notification;
pub mod order;
