//! Food delivery's OpenAPI document is generated from the code and cannot drift from it: the
//! committed `openapi.json` is what the code generates, and it documents exactly the
//! template's routes with the template's authorization (`tests/rules.rs` checks that the local
//! stack serves it).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use stack_test::openapi::Generated;

fn generated() -> Generated {
    Generated {
        system: food_delivery::system(),
        document: food_delivery::openapi::document(),
        text: food_delivery::openapi::text(),
        committed: food_delivery::openapi::path(),
        regenerate: "cargo run --bin food-delivery-openapi",
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
fn the_menu_and_nothing_else_is_public() {
    generated().assert_public(&["GET /menu"], "only the menu is public");
}
