//! Clothes rental's OpenAPI document is generated from the code and cannot drift from it: the
//! committed `openapi.json` is what the code generates, it documents exactly the template's
//! routes with the template's authorization, and the local stack serves it.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use stack_test::openapi::Generated;

fn generated() -> Generated {
    Generated {
        system: clothes_rental::system(),
        document: clothes_rental::openapi::document(),
        text: clothes_rental::openapi::text(),
        committed: clothes_rental::openapi::path(),
        regenerate: "cargo run --bin clothes-rental-openapi",
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
fn no_route_is_public() {
    generated().assert_public(&[], "every route needs a token");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_local_stack_serves_the_document_with_its_own_address() {
    let app = clothes_rental::TestApp::start().await;
    stack_test::openapi::assert_served(&app, &clothes_rental::openapi::document()).await;
}
