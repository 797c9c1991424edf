//! The customer context (고객): a signed-in person registers their details once (FR 2) and gets
//! a 9-digit customer number; `CustomerRegistered` tells plan, mypage and alarm who the
//! customer is and which token `sub` acts as them.
//!
//! Read in this order: [`domain`] (no I/O), [`application`] (use cases), [`ports`] and
//! [`store`] (DynamoDB), [`http`] (handlers), [`wiring`] (each function's configuration).

pub mod application;
pub mod domain;
pub mod http;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "customer";

/// The insurance manager's group (보험관리자): reads any customer.
pub const INSURANCE_MANAGER: &str = "insuranceManager";
