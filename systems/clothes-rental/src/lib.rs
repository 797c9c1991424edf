//! Clothes rental's calls on top of the generic black-box harness ([`stack_test`]).

/// The Clothes rental system folder.
pub fn system() -> stack_test::System {
    stack_test::system(env!("CARGO_MANIFEST_DIR"))
}
