//! The product context: the owner keeps the menu; customers see what is on sale; the
//! order context asks, synchronously, what can be ordered and at what price.
//!
//! - [`domain`]: the Product aggregate and its validated values; no I/O.
//! - [`application`]: the use cases (register, change, get, list, check).
//! - [`ports`]: what the use cases need from storage.
//! - [`store`]: the DynamoDB adapter (product items, the menu index, outbox).
//! - [`http`]: the API Gateway handlers.
//! - [`invoke`]: the synchronous `Invoke` target for the order context.
//! - [`wiring`]: typed configuration per function.

pub mod application;
pub mod domain;
pub mod http;
pub mod invoke;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "product";
