//! Room promotion's calls on top of the generic black-box harness ([`stack_test`]): the
//! system tests drive a local stack of `systems/room-promotion`.

pub mod openapi;

/// The room team's group, as the tokens' groups claim holds it.
pub const MANAGER: &str = "manager";

/// The Room promotion system folder.
pub fn system() -> stack_test::System {
    stack_test::system(env!("CARGO_MANIFEST_DIR"))
}
