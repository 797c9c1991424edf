//! The checks every system's generated OpenAPI document keeps, the same for every system.
//!
//! A system's `tests/openapi.rs` builds one [`Generated`] (its template, the document its code
//! generates, the committed `openapi.json` and the command that regenerates it) and asserts:
//! - [`Generated::assert_committed`]: the committed file is what the code generates ([`drift`]);
//! - [`Generated::assert_routes`]: the document has exactly the template's HTTP routes, each
//!   with the template's authorization ([`crate::lint::openapi_routes`]);
//! - [`Generated::assert_answers`]: every operation documents its answers and every error is
//!   a `Problem` or the gateway's message ([`answers`]);
//! - [`Generated::assert_public`]: exactly the named routes are public ([`public_routes`]);
//! - [`assert_served`]: a running local stack serves the document with its own address.

use std::path::{Path, PathBuf};

use devstack::System;
use serde_json::Value;

use crate::TestApp;

/// One system's generated document and where it is kept.
pub struct Generated {
    /// The system whose template the document must describe.
    pub system: System,
    /// The document the code generates (without `servers`).
    pub document: Value,
    /// The document as the code writes it to the committed file (pretty JSON, final newline).
    pub text: String,
    /// The committed `openapi.json` (absolute or relative to the working folder).
    pub committed: PathBuf,
    /// The command that writes [`Self::text`] to [`Self::committed`], e.g.
    /// `cargo run --bin <system>-openapi`; named in the drift message.
    pub regenerate: &'static str,
}

impl Generated {
    /// Asserts that the committed file is the generated text.
    ///
    /// # Panics
    /// With [`drift`]'s message when they differ (or the file cannot be read).
    #[track_caller]
    pub fn assert_committed(&self) {
        if let Some(message) = drift(&self.committed, &self.text, self.regenerate) {
            panic!("{message}");
        }
    }

    /// Asserts that the document has every HTTP route of the template and no other, with the
    /// template's authorization.
    ///
    /// # Panics
    /// Listing [`routes`]' findings when there are any, or when the template does not parse.
    #[track_caller]
    pub fn assert_routes(&self) {
        let findings = routes(&self.system, &self.document);
        assert!(findings.is_empty(), "the document and the template disagree:\n- {}", findings.join("\n- "));
    }

    /// Asserts that every operation documents its answers and every error is a `Problem` or
    /// the gateway's message.
    ///
    /// # Panics
    /// Listing [`answers`]' findings when there are any.
    #[track_caller]
    pub fn assert_answers(&self) {
        let findings = answers(&self.document);
        assert!(findings.is_empty(), "the document's answers:\n- {}", findings.join("\n- "));
    }

    /// Asserts that the public routes (no token needed) are exactly `expected`, each written
    /// `"METHOD /path"` in the document's order (sorted by method, then path).
    ///
    /// # Panics
    /// When they differ, with `why` (e.g. `"only the catalogue is public"`) in the message.
    #[track_caller]
    pub fn assert_public(&self, expected: &[&str], why: &str) {
        assert_eq!(public_routes(&self.document), expected, "{why}");
    }
}

/// The drift message when the committed file at `committed` is not `generated` (or cannot be
/// read): `"<path> differs from the code: run `<regenerate>` and commit it"`, the path relative
/// to the workspace when it lies inside it. `None` when they are the same.
pub fn drift(committed: &Path, generated: &str, regenerate: &str) -> Option<String> {
    let text = std::fs::read_to_string(committed).unwrap_or_default();
    if text == generated {
        return None;
    }
    let workspace = devstack::testing::workspace_root();
    let shown = committed.canonicalize().unwrap_or_else(|_| committed.to_owned());
    let shown = shown.strip_prefix(&workspace).unwrap_or(&shown).display().to_string();
    Some(format!("{shown} differs from the code: run `{regenerate}` and commit it"))
}

/// Where `document` and `system`'s template disagree on the HTTP routes or their
/// authorization ([`crate::lint::openapi_routes`] on the document's operations); empty when
/// they agree.
///
/// # Panics
/// When the template does not parse.
pub fn routes(system: &System, document: &Value) -> Vec<String> {
    crate::lint::openapi_routes(system, &platform::openapi::operations(document))
}

/// What `document` lacks in its answers; empty when it keeps every rule:
/// - it is OpenAPI `3.1.0` with the bearer scheme `jwt`;
/// - every operation has an `operationId` and documents a `2xx` answer with a JSON body;
/// - every other answer's body is `application/problem+json` with the `Problem` schema or
///   `application/json` with the `GatewayMessage` schema (the gateway's own refusals).
///
/// Each finding names the operation (`"get /things"`), the status and what is wrong.
pub fn answers(document: &Value) -> Vec<String> {
    let mut findings = Vec::new();
    if document["openapi"] != "3.1.0" {
        findings.push(format!("the document is OpenAPI {}, not 3.1.0", document["openapi"]));
    }
    if document["components"]["securitySchemes"]["jwt"]["scheme"] != "bearer" {
        findings.push("the document has no bearer scheme `jwt`".to_owned());
    }
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let at = format!("{method} {path}");
            if !operation["operationId"].is_string() {
                findings.push(format!("{at} has no operationId"));
            }
            let responses = operation["responses"].as_object();
            if !responses.is_some_and(|r| r.keys().any(|s| s.starts_with('2'))) {
                findings.push(format!("{at} documents no success"));
            }
            for (status, response) in responses.into_iter().flatten() {
                let content = response["content"].as_object();
                if status.starts_with('2') {
                    if !content.is_some_and(|c| c.contains_key("application/json")) {
                        findings.push(format!("{at} {status} has no JSON body"));
                    }
                    continue;
                }
                for (media, body) in content.into_iter().flatten() {
                    let expected = match media.as_str() {
                        "application/problem+json" => "#/components/schemas/Problem",
                        "application/json" => "#/components/schemas/GatewayMessage",
                        other => {
                            findings.push(format!("{at} {status} answers {other}"));
                            continue;
                        }
                    };
                    let schema = &body["schema"]["$ref"];
                    if schema != expected {
                        findings.push(format!("{at} {status} {media} is {schema}, not {expected}"));
                    }
                }
            }
        }
    }
    findings
}

/// The routes of `document` that need no token, each `"METHOD /path"`, sorted by method
/// then path.
pub fn public_routes(document: &Value) -> Vec<String> {
    platform::openapi::operations(document)
        .into_iter()
        .filter(|(_, _, public)| *public)
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect()
}

/// Asserts that `app`'s local stack serves `document` at [`devstack::openapi::PATH`] as JSON,
/// with the stack's own address as its only difference (`servers[0].url`).
///
/// # Panics
/// When the answer is not `200` JSON, names another server or differs from `document`.
pub async fn assert_served(app: &TestApp, document: &Value) {
    let reply = app.send_as(None, "GET", devstack::openapi::PATH, None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.content_type.starts_with("application/json"), "{}", reply.content_type);
    let mut served = reply.body;
    assert_eq!(served["servers"][0]["url"], app.stack.api_url.as_str());
    if let Some(served) = served.as_object_mut() {
        served.remove("servers");
    }
    assert_eq!(&served, document);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test unwraps what must hold

    use serde_json::json;

    use super::*;

    fn document(get: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "components": { "securitySchemes": { "jwt": { "type": "http", "scheme": "bearer" } } },
            "security": [{ "jwt": [] }],
            "paths": { "/things": { "get": get } }
        })
    }

    fn problem() -> Value {
        json!({ "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } })
    }

    #[test]
    fn a_kept_document_has_no_finding_and_a_broken_one_names_each_fault() {
        let kept = document(json!({
            "operationId": "listThings",
            "security": [],
            "responses": {
                "200": { "content": { "application/json": { "schema": {} } } },
                "400": problem(),
                "401": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/GatewayMessage" } } } }
            }
        }));
        assert_eq!(answers(&kept), Vec::<String>::new());
        assert_eq!(public_routes(&kept), ["GET /things"]);

        let mut broken = document(json!({
            "responses": {
                "200": { "description": "no body" },
                "400": { "content": { "text/plain": {} } },
                "404": { "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Other" } } } }
            }
        }));
        broken["openapi"] = json!("3.0.0");
        assert_eq!(
            answers(&broken),
            [
                "the document is OpenAPI \"3.0.0\", not 3.1.0",
                "get /things has no operationId",
                "get /things 200 has no JSON body",
                "get /things 400 answers text/plain",
                "get /things 404 application/problem+json is \"#/components/schemas/Other\", not #/components/schemas/Problem",
            ]
        );
        assert_eq!(public_routes(&broken), Vec::<String>::new(), "protected by the document's security");
        let errors_only = document(json!({ "operationId": "x", "responses": { "404": problem() } }));
        assert_eq!(answers(&errors_only), ["get /things documents no success"]);
    }

    #[test]
    fn drift_names_the_file_and_the_command_and_is_silent_when_they_agree() {
        let folder = std::env::temp_dir().join(format!("stack-test-openapi-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&folder).unwrap();
        let file = folder.join("openapi.json");
        std::fs::write(&file, "{}\n").unwrap();
        assert_eq!(drift(&file, "{}\n", "cargo run --bin x-openapi"), None);
        let message = drift(&file, "{ }\n", "cargo run --bin x-openapi").unwrap();
        assert!(message.ends_with("openapi.json differs from the code: run `cargo run --bin x-openapi` and commit it"));
        let missing = drift(&folder.join("none.json"), "{}\n", "regen").unwrap();
        assert!(missing.contains("none.json differs"), "{missing}");
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
