//! Room promotion's OpenAPI document is generated from the code and cannot drift from it: the
//! committed `openapi.json` is what the code generates, and it documents exactly the
//! template's routes with the template's authorization (the local stack serves it at
//! `/_devstack/openapi.json`, which the CI's schemathesis run reads).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use stack_test::openapi::Generated;

fn generated() -> Generated {
    Generated {
        system: room_promotion::system(),
        document: room_promotion::openapi::document(),
        text: room_promotion::openapi::text(),
        committed: room_promotion::openapi::path(),
        regenerate: "cargo run --bin room-promotion-openapi",
    }
}

#[test]
fn the_committed_document_is_what_the_code_generates() {
    generated().assert_committed();
}

#[test]
fn the_document_has_every_route_of_the_template_and_no_other() {
    generated().assert_routes();
}

#[test]
fn every_operation_documents_its_answers_and_every_error_is_a_problem_or_the_gateways() {
    generated().assert_answers();
}

#[test]
fn the_rooms_and_nothing_else_are_public() {
    generated().assert_public(&["GET /rooms"], "only the rooms are public");
}
