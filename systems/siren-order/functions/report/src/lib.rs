//! The report context: the owner's read models of orders and sales per shop day, built
//! only from the domain events it consumes (CQRS); it never reads another context's table.
//!
//! - [`domain`]: the read-model rules: which facts each event sets, the reports computed
//!   from the facts; no I/O.
//! - [`application`]: the use cases: record an event's facts, build the sales report,
//!   build the orders report.
//! - [`ports`]: what the use cases need from storage.
//! - [`store`]: the DynamoDB adapter (order views by shop day, product views).
//! - [`policies`]: the consumer of `ReportInboxQueue`, [`policies::record_sales_facts`].
//! - [`http`]: the owner's routes `GET /reports/sales` and `GET /reports/orders`.
//! - [`wiring`]: each function's configuration.

pub mod application;
pub mod domain;
pub mod http;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;
