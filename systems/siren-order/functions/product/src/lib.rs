//! The product context: the owner keeps the menu; customers see what is on sale; the
//! order context asks, synchronously, what can be ordered and at what price.
//!
//! - [`domain`]: the Product aggregate and its validated values; no I/O.
//! - [`events`]: the domain events this context publishes.
//! - [`store`]: the DynamoDB adapter (product items, the menu index, outbox).
//! - [`http`]: the API Gateway handlers.
//! - [`check`]: the synchronous `Invoke` target for the order context.

pub mod check;
pub mod domain;
pub mod events;
pub mod http;
pub mod store;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "product";
