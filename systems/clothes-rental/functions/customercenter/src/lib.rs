//! The customercenter context (고객센터): the customers' my page (마이페이지), a read model
//! fed only by the order and delivery contexts' events (CQRS).
//!
//! - [`domain`]: the my-page row and how events merge into it; no I/O.
//! - [`application`]: record an event once, list a customer's rows.
//! - [`ports`]: what they need from storage; [`store`]: the DynamoDB adapter.
//! - [`http`]: `GET /mypages`; [`policies`]: the event consumer.
//! - [`wiring`]: each function's configuration.

pub mod application;
pub mod domain;
pub mod http;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;
