//! The system's OpenAPI document, served by the local stack on the HTTP API's port at
//! [`PATH`] (`GET /_devstack/openapi.json`), so a client generator, a browser tool or
//! `schemathesis` can read it from a running stack.
//!
//! The document is the system's `openapi.json`, generated from its code and kept beside
//! its template's folder (`systems/<name>/openapi.json` for `systems/<name>/infra/template.yaml`).
//! It is served as written, with `servers` set to the local HTTP API's URL and
//! `access-control-allow-origin: *` (a documentation viewer on any origin may read it). A
//! system without the file answers 404 there.

use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Where the document is served, on the HTTP API's port.
pub const PATH: &str = "/_devstack/openapi.json";

/// The system's document for `template`: `openapi.json` in the template's folder or the
/// folder above it, if there is one.
pub fn document_of(template: &Path) -> Option<PathBuf> {
    template.ancestors().skip(1).take(2).map(|dir| dir.join("openapi.json")).find(|file| file.is_file())
}

/// The router serving [`PATH`]: the document of `file` with `servers` naming `api_url`.
/// The file is read on each request, so a regenerated document is served at once.
pub fn router(file: Option<PathBuf>, api_url: String) -> axum::Router {
    axum::Router::new().route(
        PATH,
        axum::routing::get(move || {
            let file = file.clone();
            let api_url = api_url.clone();
            async move { serve(file.as_deref(), &api_url) }
        }),
    )
}

fn serve(file: Option<&Path>, api_url: &str) -> Response {
    let not_found = || {
        (StatusCode::NOT_FOUND, [("content-type", "application/json")], json!({"message": "Not Found"}).to_string())
            .into_response()
    };
    let Some(file) = file else { return not_found() };
    let Ok(text) = std::fs::read_to_string(file) else { return not_found() };
    let Ok(mut document) = serde_json::from_str::<Value>(&text) else {
        tracing::warn!(file = %file.display(), "the OpenAPI document is not JSON");
        return (StatusCode::INTERNAL_SERVER_ERROR, "the OpenAPI document is not JSON").into_response();
    };
    document["servers"] = json!([{ "url": api_url, "description": "the local stack" }]);
    // A public document without credentials: any origin's documentation viewer may read it.
    (StatusCode::OK, [("content-type", "application/json"), ("access-control-allow-origin", "*")], document.to_string())
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_found_beside_the_template_folder() {
        let dir = std::env::temp_dir().join(format!("devstack-openapi-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("infra")).unwrap();
        let template = dir.join("infra/template.yaml");
        assert_eq!(document_of(&template), None);
        std::fs::write(dir.join("openapi.json"), "{}").unwrap();
        assert_eq!(document_of(&template), Some(dir.join("openapi.json")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn it_is_served_with_the_local_server() {
        let dir = std::env::temp_dir().join(format!("devstack-openapi-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("openapi.json");
        std::fs::write(&file, r#"{"openapi":"3.1.0","paths":{}}"#).unwrap();
        let response = serve(Some(&file), "http://127.0.0.1:1");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(serve(None, "http://127.0.0.1:1").status(), StatusCode::NOT_FOUND);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
