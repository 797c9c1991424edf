//! Room promotion's OpenAPI 3.1 document, generated from the handlers and their request and
//! response types (each context's `http::Api`) and finished by [`platform::openapi::document`].
//! `cargo run --bin room-promotion-openapi` writes it to `systems/room-promotion/openapi.json`;
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
    let mut api = room::http::Api::openapi();
    api.merge(reservation::http::Api::openapi());
    api.merge(mypage::http::Api::openapi());
    let info = platform::openapi::Info {
        title: "Room promotion",
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
A hotel room reservation service (객실예약서비스): the room team keeps rooms, customers reserve nights \
(never one night twice), pay through a synchronous call to payment with a timeout and a circuit breaker, \
and get a promotion from the amount paid (a DISCOUNT COUPON from 100000 won, a BEVERAGE from 50000, \
points = amount / 10); cancelling before check-in refunds and takes the promotion back.

**Tokens.** Every route but `GET /rooms` needs `Authorization: Bearer <JWT>` from the API's issuer: its \
`sub` is the customer's id (opaque), its `name` their name, its groups claim (`cognito:groups`) holds \
`manager` for the room team. On the local stack, `POST http://127.0.0.1:3001/_devstack/tokens` mints one.

**Errors.** The functions answer every refusal with `application/problem+json` (RFC 9457; a 400 names each \
refused field in `errors`). API Gateway answers a few itself with `application/json` `{\"message\": ...}`: \
401 (no or a refused token), 404 (no such route), 413 (over its payload limit), 500 (a function failed), \
503 (a function timed out).

**Servers.** The document names no server: use the stack's `ApiUrl` output on AWS, or \
`http://127.0.0.1:3000` on the local stack (which serves this document at `/_devstack/openapi.json`).";
