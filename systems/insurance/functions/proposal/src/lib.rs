//! The proposal context (청약): a customer applies from a plan whose product description was
//! issued for its current version (FR 8), pays the first premium through a synchronous call to
//! payment (timeout + breaker; FR 9), and may withdraw (FR 10; payment is cancelled by event,
//! FR 11). Proposal keeps its own copy of the plans, fed by `PlanSaved` and
//! `ProductDescriptionIssued` in either order, and reconciles a late payment by `PayApproved`.
//!
//! Read in this order: [`domain`] (no I/O), [`application`] (use cases), [`ports`],
//! [`store`] (DynamoDB) and [`calls`] (the pay call), [`http`] (handlers), [`policies`] (the
//! event consumer), [`wiring`] (each function's configuration).

pub mod application;
pub mod calls;
pub mod domain;
pub mod http;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "proposal";

/// The insurance manager's group (보험관리자): reads any proposal.
pub const INSURANCE_MANAGER: &str = "insuranceManager";

/// The product manager's group: no customer.
pub const PRODUCT_MANAGER: &str = "productManager";
