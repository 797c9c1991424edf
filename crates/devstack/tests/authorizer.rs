//! The local JWT authorizer over HTTP, with `tests/fixture/authorizer.yaml` (a Cognito-shaped
//! issuer, audiences `fixture-client` and `second-client`, one echoing route): the issuer's
//! JWKS and OpenID configuration at the path of the issuer URL, tokens minted by
//! `POST /_devstack/tokens` with any claim, and every claim rule API Gateway applies.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::HashMap;

use devstack::Stack;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

const POOL_PATH: &str = "/us-east-1_fixturepool";
const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_fixturepool";

async fn start() -> Stack {
    let template = devstack::testing::workspace_root().join("crates/devstack/tests/fixture/authorizer.yaml");
    devstack::testing::start_stack_of(template, HashMap::new()).await
}

/// `POST /_devstack/tokens` with `request`; the answer's body.
async fn mint(stack: &Stack, request: Value) -> Value {
    let reply = reqwest::Client::new()
        .post(format!("{}/_devstack/tokens", stack.lambda_url))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200, "minting {request}");
    reply.json().await.unwrap()
}

/// `GET /echo` with `authorization` (none: no header): the status and the echoed event.
async fn echo(stack: &Stack, authorization: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new().get(format!("{}/echo", stack.api_url));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let reply = request.send().await.unwrap();
    (reply.status().as_u16(), reply.json().await.unwrap_or(Value::Null))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_issuer_publishes_its_keys_at_its_url_path_and_they_verify_minted_tokens() {
    let stack = start().await;
    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        let url = format!("{}{path}", stack.api_url);
        async move {
            let reply = http.get(url).send().await.unwrap();
            (reply.status().as_u16(), reply.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, configuration) = get(format!("{POOL_PATH}/.well-known/openid-configuration")).await;
    assert_eq!(status, 200, "{configuration}");
    assert_eq!(configuration["issuer"], ISSUER);
    let jwks_uri = configuration["jwks_uri"].as_str().unwrap();
    assert_eq!(jwks_uri, format!("{}{POOL_PATH}/.well-known/jwks.json", stack.api_url));
    let (status, jwks) = get(format!("{POOL_PATH}/.well-known/jwks.json")).await;
    assert_eq!(status, 200, "{jwks}");
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{jwks}");
    for (field, value) in [("kty", "EC"), ("crv", "P-256"), ("alg", "ES256"), ("use", "sig")] {
        assert_eq!(keys[0][field], value, "{field} in {jwks}");
    }
    for field in ["x", "y", "kid"] {
        assert!(keys[0][field].as_str().is_some_and(|v| !v.is_empty()), "{field} in {jwks}");
    }
    // Elsewhere there is nothing.
    assert_eq!(get("/.well-known/jwks.json".to_owned()).await.0, 404);

    let minted = mint(&stack, json!({ "sub": "user-1", "groups": ["staff"] })).await;
    let token = minted["token"].as_str().unwrap();
    let set: JwkSet = serde_json::from_value(jwks.clone()).unwrap();
    let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    let jwk = set.find(&kid).expect("the token's kid is in the JWKS");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.leeway = 0;
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&["fixture-client"]);
    let verified = jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation).unwrap();
    assert_eq!(verified.claims["sub"], "user-1");
    assert_eq!(verified.claims["token_use"], "id");
    assert_eq!(verified.claims, minted["claims"], "the answer shows the payload");

    // The function gets the claims as strings and the header unchanged.
    let bearer = format!("Bearer {token}");
    let (status, event) = echo(&stack, Some(&bearer)).await;
    assert_eq!(status, 200, "{event}");
    let claims = &event["requestContext"]["authorizer"]["jwt"]["claims"];
    assert_eq!(claims["sub"], "user-1");
    assert_eq!(claims["groups"], "[staff]");
    assert_eq!(claims["exp"], verified.claims["exp"].to_string());
    assert_eq!(event["headers"]["authorization"], bearer.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_api_gateway_refuses_get_401_and_their_neighbours_pass() {
    let stack = start().await;
    let now = now();
    // Each case: the request to the token endpoint, and whether the authorizer accepts it.
    let cases = [
        (json!({}), true),
        (json!({ "expiresInSeconds": -1 }), false),
        (json!({ "claims": { "exp": now - 1 } }), false),
        (json!({ "claims": { "exp": now + 30 } }), true),
        (json!({ "claims": { "exp": null } }), false),
        (json!({ "claims": { "exp": (now + 3600).to_string() } }), false),
        (json!({ "claims": { "nbf": now + 30 } }), false),
        (json!({ "claims": { "nbf": now - 1 } }), true),
        (json!({ "claims": { "iat": now + 30 } }), false),
        (json!({ "claims": { "iat": now - 30 } }), true),
        (json!({ "claims": { "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other" } }), false),
        (json!({ "claims": { "iss": format!("{ISSUER}/") } }), false),
        (json!({ "claims": { "aud": "other-client" } }), false),
        (json!({ "claims": { "aud": "second-client" } }), true),
        (json!({ "claims": { "aud": ["other-client", "second-client"] } }), true),
        (json!({ "claims": { "aud": "other-client", "client_id": "fixture-client" } }), false),
        (json!({ "claims": { "aud": null, "client_id": "fixture-client", "token_use": "access" } }), true),
        (json!({ "claims": { "aud": null, "client_id": "other-client", "token_use": "access" } }), false),
        (json!({ "claims": { "token_use": "access" } }), false),
        (json!({ "claims": { "aud": null, "client_id": "fixture-client" } }), false),
        (json!({ "claims": { "token_use": "refresh" } }), false),
        (json!({ "claims": { "token_use": null } }), false),
        (json!({ "kid": null }), false),
        (json!({ "kid": "another-key" }), false),
    ];
    for (request, accepted) in cases {
        let token = mint(&stack, request.clone()).await["token"].as_str().unwrap().to_owned();
        let (status, body) = echo(&stack, Some(&format!("Bearer {token}"))).await;
        let expected = if accepted { 200 } else { 401 };
        assert_eq!(status, expected, "{request}: {body}");
    }
    assert_eq!(echo(&stack, None).await.0, 401, "no token");
    assert_eq!(echo(&stack, Some("Bearer not.a.jwt")).await.0, 401, "garbage");
    // The token endpoint refuses a body of another shape (a misspelt field).
    let reply = reqwest::Client::new()
        .post(format!("{}/_devstack/tokens", stack.lambda_url))
        .json(&json!({ "sub": "u", "expiresInSecond": 5 }))
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_client_error(), "{}", reply.status());
}
