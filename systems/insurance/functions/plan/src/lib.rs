//! The plan context (가입설계): a customer quotes a premium (FR 3-4: product calculates it
//! synchronously with its underwriting conditions, timeout + breaker), saves and changes
//! designs (FR 5), and requests the product description (FR 6), which product issues by event.
//! Plan keeps its own copy of the customers (from `CustomerRegistered`) and never calls the
//! proposal context (NFR 2.i).
//!
//! Read in this order: [`domain`] (no I/O), [`application`] (use cases), [`ports`],
//! [`store`] (DynamoDB) and [`calls`] (the quote call), [`http`] (handlers), [`policies`]
//! (the event consumer), [`wiring`] (each function's configuration).

pub mod application;
pub mod calls;
pub mod domain;
pub mod http;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "plan";

/// The insurance manager's group (보험관리자): reads any plan.
pub const INSURANCE_MANAGER: &str = "insuranceManager";

/// The product manager's group: no customer.
pub const PRODUCT_MANAGER: &str = "productManager";
