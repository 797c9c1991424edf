//! Insurance's OpenAPI 3.1 document, generated from the handlers and their request and
//! response types (each context's `http::Api`) and finished by [`platform::openapi::document`].
//! `cargo run --bin insurance-openapi` writes it to `systems/insurance/openapi.json`;
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
    let mut api = product::http::Api::openapi();
    api.merge(customer::http::Api::openapi());
    api.merge(plan::http::Api::openapi());
    api.merge(proposal::http::Api::openapi());
    api.merge(mypage::http::Api::openapi());
    api.merge(alarm::http::Api::openapi());
    let info =
        platform::openapi::Info { title: "Insurance", version: env!("CARGO_PKG_VERSION"), description: DESCRIPTION };
    platform::openapi::document(api, &info).expect("the document serializes")
}

/// The document as written to [`path`]: pretty JSON with a final newline.
pub fn text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

const DESCRIPTION: &str = "\
Online insurance sign-up (ez보험가입): product managers keep insurance products with underwriting limits; \
customers register, get premium quotes (product calculates them synchronously, with a timeout and a circuit \
breaker: `monthlyPremium = sumInsured / 1,000,000 x premiumPerMillion`, refused with every failing condition \
named), save plans, ask for the product description (issued and announced by AlimTalk), apply, pay the first \
premium (a synchronous call to payment, timeout + breaker; a late payment is reconciled by event) and may \
withdraw (the payment is cancelled by event); a my page and the messages follow every step.

**Tokens.** Every route but `GET /products` and `GET /products/{productCode}` needs `Authorization: Bearer \
<JWT>` from the API's issuer: its `sub` (opaque) becomes a customer at `POST /customers`; its groups claim \
(`cognito:groups`) holds `productManager` or `insuranceManager`. On the local stack, \
`POST http://127.0.0.1:3001/_devstack/tokens` mints one.

**Lists.** `GET /products`, `GET /mypages` and `GET /msgs` take `limit` and `nextToken` and answer \
`nextToken` (`null` on the last page).

**Errors.** The functions answer every refusal with `application/problem+json` (RFC 9457; a 400 names each \
refused field in `errors`). API Gateway answers a few itself with `application/json` `{\"message\": ...}`: \
401 (no or a refused token), 404 (no such route), 413 (over its payload limit), 500 (a function failed), \
503 (a function timed out).

**Servers.** The document names no server: use the stack's `ApiUrl` output on AWS, or \
`http://127.0.0.1:3000` on the local stack (which serves this document at `/_devstack/openapi.json`).";
