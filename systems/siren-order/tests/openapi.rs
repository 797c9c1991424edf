//! SirenOrder's OpenAPI document is generated from the code and cannot drift from it: the
//! committed `openapi.json` is what the code generates, it documents exactly the template's
//! routes with the template's authorization, and the local stack serves it. (That the
//! answers conform to it is checked by schemathesis in CI: `.ci/fuzz-api`.)

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use stack_test::openapi::Generated;

fn generated() -> Generated {
    Generated {
        system: siren_order::system(),
        document: siren_order::openapi::document(),
        text: siren_order::openapi::text(),
        committed: siren_order::openapi::path(),
        regenerate: "cargo run --bin siren-order-openapi",
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
    generated().assert_public(&["GET /products", "GET /products/{productId}"], "only the menu is public");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_local_stack_serves_the_document_with_its_own_address() {
    let app = siren_order::TestApp::start().await;
    stack_test::openapi::assert_served(&app, &siren_order::openapi::document()).await;
}
