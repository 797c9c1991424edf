//! The report context: the owner's read models of orders and sales, built only from the
//! domain events it consumes (CQRS); it never reads another context's table.
//!
//! - [`model`]: the order view's facts and the sales report computed from them; no I/O.
//! - [`store`]: the DynamoDB adapter (order views by day, product views).
//! - [`consumer`]: the events it consumes.
//! - [`http`]: the owner's API Gateway handlers.

pub mod consumer;
pub mod http;
pub mod model;
pub mod store;
