//! Food delivery's message contracts, in one library used by producers and consumers alike
//! (the producing context builds these, the consuming contexts read them).
//!
//! - Domain event payloads (the envelope's `data`; see [`platform::envelope`]), one module
//!   per producing context, with the topic they are published to: [`order`] (the app
//!   context), [`payment`] (pay), [`store`] (the store's kitchen), [`notification`] (customer).
//! - The synchronous `Invoke` calls: app -> pay ([`pay_call`]) and app -> store
//!   ([`store_cancel`]).
//!
//! Times are RFC 3339 UTC strings, ids opaque strings, amounts whole won ([`platform::Won`],
//! a plain integer on the wire), quantities whole numbers. Each topic has one event enum,
//! adjacently tagged by the envelope's `type`; `tests/golden.rs` reads every sample event of
//! the system against these types. The envelope's `correlationId` is the order id.

pub mod notification;
pub mod order;
pub mod pay_call;
pub mod payment;
pub mod store;
pub mod store_cancel;
