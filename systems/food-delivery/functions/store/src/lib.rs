//! The store context (상점, the kitchen): a paid order becomes a `Received` store order (the
//! template's 주문관리); the store cooks it and dispatches it (배달출발); the app may ask
//! (synchronously) to cancel an order whose cooking has not started.
//!
//! Read in this order:
//! - [`domain`]: the StoreOrder and its rules; no I/O.
//! - [`application`]: the use cases (kitchen queue, move on, cancel, receive).
//! - [`ports`]: what the use cases need from storage; [`store`]: the DynamoDB adapter.
//! - [`http`]: the store's handlers; [`invoke`]: the synchronous cancel target;
//!   [`policies`]: the reaction to `OrderPlaced`.
//! - [`wiring`]: each function's configuration.

pub mod application;
pub mod domain;
pub mod http;
pub mod invoke;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "store";
