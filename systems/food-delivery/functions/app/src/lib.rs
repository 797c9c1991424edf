//! The app context (단말앱, 주문): the store owner's menu, and the customers' orders, paid at
//! once through a synchronous call to pay; the order then follows the store's kitchen through
//! its events.
//!
//! Read in this order:
//! - [`domain`]: the MenuItem and Order aggregates and their rules; no I/O.
//! - [`application`]: the use cases (menu, place, get, list, cancel, follow the store,
//!   fail an order a crash left unpaid).
//! - [`ports`]: what the use cases need (storage, pay, the store's consent to cancel).
//! - [`store`]: the DynamoDB adapter; [`calls`]: the synchronous pay and cancel calls.
//! - [`http`]: the API Gateway handlers; [`policies`]: the event consumer.
//! - [`wiring`]: each function's configuration; [`metrics`]: the business metrics.

pub mod application;
pub mod calls;
pub mod domain;
pub mod http;
pub mod metrics;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "app";
