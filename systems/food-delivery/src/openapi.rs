//! Food delivery's OpenAPI 3.1 document, generated from the handlers and their request and
//! response types (each context's `http::Api`) and finished by [`platform::openapi::document`].
//! `cargo run --bin food-delivery-openapi` writes it to `systems/food-delivery/openapi.json`;
//! `tests/openapi.rs` fails when that file and the code disagree, and when the document's
//! routes and the template's differ.

use serde_json::Value;
use utoipa::OpenApi as _;

/// Where the document is kept: `openapi.json` in the system's folder.
pub fn path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

/// The document, with keys sorted (stable output).
///
/// # Panics
/// Never in practice: the gathered document always serializes.
#[allow(clippy::expect_used)]
pub fn document() -> Value {
    let mut api = app::http::Api::openapi();
    api.merge(store::http::Api::openapi());
    let info = platform::openapi::Info {
        title: "Food delivery",
        version: env!("CARGO_PKG_VERSION"),
        description: DESCRIPTION,
    };
    platform::openapi::document(api, &info).expect("the document serializes")
}

/// The document as written to [`path`]: pretty JSON with a final newline.
pub fn text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

const DESCRIPTION: &str = "\
A food delivery app (음식배달): customers order from the store's menu and pay at once (a synchronous \
call to pay with a timeout and a circuit breaker: a 503 means no order and no charge), the store cooks \
and dispatches, a customer may cancel until cooking starts (refunded), and is notified at every step.

**Tokens.** Every route but `GET /menu` needs `Authorization: Bearer <JWT>` from the API's issuer: its \
`sub` is the customer's id (opaque), its groups claim (`cognito:groups`) holds `store` for the store \
owner. On the local stack, `POST http://127.0.0.1:3001/_devstack/tokens` `{\"groups\": [\"store\"]}` mints one.

**Errors.** The functions answer every refusal with `application/problem+json` (RFC 9457; a 400 names each \
refused field in `errors`). API Gateway answers a few itself with `application/json` `{\"message\": ...}`: \
401 (no or a refused token), 404 (no such route), 413 (over its payload limit), 500 (a function failed), \
503 (a function timed out).

**Lists** (`GET /menu`, `GET /orders`, `GET /store/orders`) return one page: `limit` sets its size and \
`nextToken` is `null` on the last page, else the value to pass back for the next one.

**Servers.** The document names no server: use the stack's `ApiUrl` output on AWS, or \
`http://127.0.0.1:3000` on the local stack (which serves this document at `/_devstack/openapi.json`).";
