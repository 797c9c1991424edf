//! The product context (보험상품): the product manager registers and changes insurance products
//! with their underwriting limits (FR 1); plan asks [`invoke::quote`] synchronously for a premium
//! (FR 3-4); product issues the product description a plan version asks for and announces it
//! (`ProductDescriptionIssued`, FR 6-7).
//!
//! Read in this order: [`domain`] (no I/O), [`application`] (use cases), [`ports`] and
//! [`store`] (DynamoDB), [`http`] (handlers), [`invoke`] (the quote target), [`policies`] (the
//! description consumer), [`wiring`] (each function's configuration).

pub mod application;
pub mod domain;
pub mod http;
pub mod invoke;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "product";

/// The product manager's group (보험상품관리자): registers and changes products.
pub const PRODUCT_MANAGER: &str = "productManager";
