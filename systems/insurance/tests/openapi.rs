//! Insurance's OpenAPI document is generated from the code and cannot drift from it: the
//! committed `openapi.json` is what the code generates, and it documents exactly the
//! template's routes with the template's authorization (the local stack serves it at
//! `/_devstack/openapi.json`, which the CI's schemathesis run reads).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

#[test]
fn the_committed_document_is_what_the_code_generates() {
    let committed = std::fs::read_to_string(insurance::openapi::path()).unwrap_or_default();
    assert!(
        committed == insurance::openapi::text(),
        "systems/insurance/openapi.json differs from the code: run `cargo run --bin insurance-openapi` and commit it"
    );
}

#[test]
fn the_document_has_every_route_of_the_template_and_no_other() {
    let findings = stack_test::lint::openapi_routes(
        &insurance::system(),
        &platform::openapi::operations(&insurance::openapi::document()),
    );
    assert!(findings.is_empty(), "the document and the template disagree:\n- {}", findings.join("\n- "));
}

#[test]
fn every_operation_documents_its_answers_and_every_error_is_a_problem_or_the_gateways() {
    let document = insurance::openapi::document();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["components"]["securitySchemes"]["jwt"]["scheme"], "bearer");
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            assert!(operation["operationId"].is_string(), "{at} has no operationId");
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{at} documents no success");
            for (status, response) in responses {
                let content = response["content"].as_object();
                if status.starts_with('2') {
                    assert!(content.is_some_and(|c| c.contains_key("application/json")), "{at} {status}");
                    continue;
                }
                for media in content.into_iter().flat_map(|c| c.keys()) {
                    let schema = &response["content"][media]["schema"]["$ref"];
                    let expected = match media.as_str() {
                        "application/problem+json" => "#/components/schemas/Problem",
                        "application/json" => "#/components/schemas/GatewayMessage",
                        other => panic!("{at} {status} answers {other}"),
                    };
                    assert_eq!(schema, expected, "{at} {status} {media}");
                }
            }
        }
    }
    let public: Vec<String> = platform::openapi::operations(&document)
        .into_iter()
        .filter(|(_, _, public)| *public)
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect();
    assert_eq!(public, ["GET /products", "GET /products/{productCode}"], "only the products are public");
}
