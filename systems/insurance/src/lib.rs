//! Insurance's calls on top of the generic black-box harness ([`stack_test`]): the system tests
//! drive a local stack of `systems/insurance`.

pub mod openapi;

/// The product managers' group (보험상품관리자), as the tokens' groups claim holds it.
pub const PRODUCT_MANAGER: &str = "productManager";

/// The insurance managers' group (보험관리자).
pub const INSURANCE_MANAGER: &str = "insuranceManager";

/// The Insurance system folder.
pub fn system() -> stack_test::System {
    stack_test::system(env!("CARGO_MANIFEST_DIR"))
}
