//! Insurance's OpenAPI document is generated from the code and cannot drift from it: the
//! committed `openapi.json` is what the code generates, and it documents exactly the
//! template's routes with the template's authorization (the local stack serves it at
//! `/_devstack/openapi.json`, which the CI's schemathesis run reads).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use stack_test::openapi::Generated;

fn generated() -> Generated {
    Generated {
        system: insurance::system(),
        document: insurance::openapi::document(),
        text: insurance::openapi::text(),
        committed: insurance::openapi::path(),
        regenerate: "cargo run --bin insurance-openapi",
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
fn the_products_and_nothing_else_are_public() {
    generated().assert_public(&["GET /products", "GET /products/{productCode}"], "only the products are public");
}
