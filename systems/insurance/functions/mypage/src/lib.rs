//! The mypage context (내보험): the read model of every customer's plans and proposals (NFR
//! 3.i, FR 12), one row for each (customer, plan), fed only by events; customers read their own
//! rows, the insurance manager any customer's, or all.
//!
//! Read in this order: [`domain`] (how each event moves a row; no I/O), [`application`],
//! [`ports`] and [`store`] (DynamoDB), [`http`] (the read route), [`policies`] (the consumer),
//! [`wiring`].

pub mod application;
pub mod domain;
pub mod http;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The insurance manager's group (보험관리자): reads any customer's rows, or all.
pub const INSURANCE_MANAGER: &str = "insuranceManager";

/// The product manager's group: no reader of the my page.
pub const PRODUCT_MANAGER: &str = "productManager";
