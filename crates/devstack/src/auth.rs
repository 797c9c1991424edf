//! JWT authorizers as API Gateway HTTP APIs run them, with the local stack as the issuer.
//!
//! The template's authorizer names an issuer and audiences (for SirenOrder, a Cognito user
//! pool and app client). Locally, tokens for that issuer are signed by the stack's own key
//! (ES256; kept in the state folder so tokens survive a restart) and minted on request
//! (`POST /_devstack/tokens`, see [`crate::control`]). The issuer's keys are published as
//! the real issuer publishes them: `GET <issuer path>/.well-known/jwks.json` and
//! `GET <issuer path>/.well-known/openid-configuration` on the HTTP API's port, without
//! auth ([`discovery_router`]); for a Cognito issuer
//! `https://cognito-idp.<region>.amazonaws.com/<poolId>` the path is `/<poolId>`.
//!
//! A request to a protected route needs `Authorization: Bearer <jwt>` (or the bare token),
//! and is refused with `401` unless every rule API Gateway documents for its JWT
//! authorizer holds, with no clock leeway:
//!
//! - the header's `alg` is `ES256` (the only key type the stack signs with) and its `kid`
//!   names the key in the JWKS; the signature verifies;
//! - `iss` equals the configured issuer exactly;
//! - `aud` (when the token has one; a string or a list) or else `client_id` is one of the
//!   configured audiences;
//! - `exp` is present, a number, and after the current time (`exp <= now` is refused);
//! - `nbf` and `iat`, when present, are numbers not after the current time.
//!
//! For a Cognito issuer (`https://cognito-idp.…`) the token must also be a Cognito ID or
//! access token, as Cognito issues them: `token_use: "id"` with the audience in `aud`, or
//! `token_use: "access"` with the audience in `client_id`; any other `token_use`, or none,
//! is refused. (API Gateway itself does not read `token_use`; Cognito sets it on every
//! token, so this refuses only tokens Cognito cannot have issued.)
//!
//! The claims reach the function in `requestContext.authorizer.jwt.claims` as strings,
//! lists written `[a b]` (elements joined by one space), numbers as their JSON text, as API
//! Gateway passes them. The `Authorization` header reaches the function unchanged.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use axum::Json;
use axum::routing::get;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value, json};

/// The only signing algorithm of the local issuer.
pub const ALGORITHM: Algorithm = Algorithm::ES256;

/// The stack's signing key (ES256, P-256).
pub struct SigningKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
}

impl SigningKey {
    /// The key kept in `dir` (created there on first use), or a fresh one with `None`.
    ///
    /// # Errors
    /// When the key file cannot be read or written, or holds no valid key.
    pub fn load_or_create(dir: Option<&Path>) -> anyhow::Result<Self> {
        let file = dir.map(|d| d.join("jwt-signing-key.p8"));
        let pkcs8 = match file.as_ref().filter(|f| f.exists()) {
            Some(file) => std::fs::read(file).with_context(|| format!("reading {}", file.display()))?,
            None => {
                let document = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                    .map_err(|_| anyhow::anyhow!("cannot generate a signing key"))?;
                let bytes = document.as_ref().to_vec();
                if let Some(file) = &file {
                    std::fs::write(file, &bytes).with_context(|| format!("writing {}", file.display()))?;
                }
                bytes
            }
        };
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8)
            .map_err(|_| anyhow::anyhow!("the signing key file is not a P-256 PKCS#8 key"))?;
        let decoding = DecodingKey::from_ec_der(pair.public_key().as_ref());
        let mut jwk = Jwk::from_decoding_key(&decoding, Some(ALGORITHM)).context("the public key as a JWK")?;
        // The key id is the key's RFC 7638 thumbprint: stable for the key file.
        jwk.common.key_id = Some(jwk.thumbprint(ThumbprintHash::SHA256).context("the key's thumbprint")?);
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(Self { encoding: EncodingKey::from_ec_der(&pkcs8), decoding, jwk })
    }

    /// The key's id (`kid`): its RFC 7638 SHA-256 thumbprint, base64url.
    pub fn kid(&self) -> &str {
        self.jwk.common.key_id.as_deref().unwrap_or_default()
    }

    /// The public key as a JWK set (`{"keys": [{"kty": "EC", "crv": "P-256", "x", "y",
    /// "kid", "alg": "ES256", "use": "sig"}]}`), as served at `.well-known/jwks.json`.
    pub fn jwks(&self) -> JwkSet {
        JwkSet { keys: vec![self.jwk.clone()] }
    }
}

/// One JWT authorizer of an HTTP API.
#[derive(Clone)]
pub struct JwtAuthorizer {
    /// The `iss` tokens must carry.
    pub issuer: String,
    /// Accepted `aud` / `client_id` values.
    pub audiences: Vec<String>,
    key: Arc<SigningKey>,
}

/// Why a request was refused (always `401` to the client).
#[derive(Debug, thiserror::Error)]
pub enum Unauthorized {
    /// No `Authorization` header.
    #[error("no token")]
    Missing,
    /// Signature, key id, issuer, audience, token use or a time claim is wrong.
    #[error("invalid token: {0}")]
    Invalid(String),
}

fn invalid(reason: impl Into<String>) -> Unauthorized {
    Unauthorized::Invalid(reason.into())
}

impl JwtAuthorizer {
    /// An authorizer for `issuer` and `audiences`, verifying with `key`.
    pub fn new(issuer: String, audiences: Vec<String>, key: Arc<SigningKey>) -> Self {
        Self { issuer, audiences, key }
    }

    /// Whether the issuer is a Cognito user pool (`https://cognito-idp.…`), whose tokens
    /// carry `token_use`.
    pub fn is_cognito(&self) -> bool {
        self.issuer.starts_with("https://cognito-idp.")
    }

    /// The signing key (its JWKS is what the issuer publishes).
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The claims of a fresh ID token for `sub`, as Cognito issues one: `sub`, `iss`, `aud`
    /// (the first audience), `iat` (now, seconds since the epoch), `exp` (`iat +
    /// ttl_seconds`), `token_use: "id"` and `groups` (a list).
    pub fn default_claims(&self, sub: &str, groups: &[String], ttl_seconds: i64) -> Map<String, Value> {
        let now = chrono::Utc::now().timestamp();
        let claims = json!({
            "sub": sub,
            "iss": self.issuer,
            "aud": self.audiences.first().cloned().unwrap_or_default(),
            "iat": now,
            "exp": now.saturating_add(ttl_seconds),
            "token_use": "id",
            "groups": groups,
        });
        claims.as_object().cloned().unwrap_or_default()
    }

    /// Mints a token for `sub` in `groups`, valid for `ttl_seconds` (negative: expired).
    ///
    /// # Errors
    /// Only if signing fails.
    pub fn mint(&self, sub: &str, groups: &[String], ttl_seconds: i64) -> anyhow::Result<String> {
        self.sign(&self.default_claims(sub, groups, ttl_seconds), Some(self.key.kid()))
    }

    /// Signs any `claims` with the stack's key, with `kid` in the header (`None`: no
    /// `kid`), for tests that need a token the authorizer must refuse.
    ///
    /// # Errors
    /// Only if signing fails.
    pub fn sign(&self, claims: &Map<String, Value>, kid: Option<&str>) -> anyhow::Result<String> {
        let mut header = Header::new(ALGORITHM);
        header.kid = kid.map(str::to_owned);
        Ok(jsonwebtoken::encode(&header, claims, &self.key.encoding)?)
    }

    /// Checks the request's `Authorization` header (the rules in the [module
    /// docs](self)) and returns the claims as API Gateway passes them to the function.
    ///
    /// # Errors
    /// [`Unauthorized`] when the token is missing or any rule fails.
    pub fn authorize(&self, authorization: Option<&str>) -> Result<Map<String, Value>, Unauthorized> {
        self.authorize_at(authorization, chrono::Utc::now().timestamp_millis())
    }

    fn authorize_at(&self, authorization: Option<&str>, now_ms: i64) -> Result<Map<String, Value>, Unauthorized> {
        let header = authorization.map(str::trim).filter(|h| !h.is_empty()).ok_or(Unauthorized::Missing)?;
        let token = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).unwrap_or(header).trim();
        let jose = jsonwebtoken::decode_header(token).map_err(|err| invalid(err.to_string()))?;
        if jose.alg != ALGORITHM {
            return Err(invalid(format!("alg {:?} is not accepted", jose.alg)));
        }
        if jose.kid.as_deref() != Some(self.key.kid()) {
            return Err(invalid("the kid names no key of the issuer"));
        }
        // Signature and algorithm only: every claim is checked below, with no leeway.
        let mut validation = Validation::new(ALGORITHM);
        validation.leeway = 0;
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &self.key.decoding, &validation)
            .map_err(|err| invalid(err.to_string()))?
            .claims;
        self.check_claims(&claims, now_ms)?;
        Ok(claims.into_iter().map(|(k, v)| (k, Value::String(claim_string(&v)))).collect())
    }

    fn check_claims(&self, claims: &Map<String, Value>, now_ms: i64) -> Result<(), Unauthorized> {
        if claims.get("iss").and_then(Value::as_str) != Some(self.issuer.as_str()) {
            return Err(invalid("the issuer is not the configured one"));
        }
        // Seconds since the epoch, compared in milliseconds (a claim may be fractional).
        let time = |name: &str| -> Result<Option<f64>, Unauthorized> {
            match claims.get(name) {
                None => Ok(None),
                Some(value) => {
                    value.as_f64().map(|t| Some(t * 1000.0)).ok_or_else(|| invalid(format!("{name} is not a number")))
                }
            }
        };
        #[allow(clippy::cast_precision_loss)] // milliseconds since the epoch fit an f64 exactly
        let now = now_ms as f64;
        match time("exp")? {
            None => return Err(invalid("no exp")),
            Some(exp) if exp <= now => return Err(invalid("expired")),
            Some(_) => {}
        }
        if time("nbf")?.is_some_and(|nbf| nbf > now) {
            return Err(invalid("nbf is in the future"));
        }
        if time("iat")?.is_some_and(|iat| iat > now) {
            return Err(invalid("iat is in the future"));
        }
        let accepted = |value: &Value| match value {
            Value::String(aud) => self.audiences.contains(aud),
            Value::Array(auds) => auds.iter().filter_map(Value::as_str).any(|a| self.audiences.iter().any(|x| x == a)),
            _ => false,
        };
        // API Gateway evaluates `aud` when the token has one, `client_id` otherwise.
        let audience_ok = match (claims.get("aud"), claims.get("client_id")) {
            (Some(aud), _) => accepted(aud),
            (None, Some(client_id)) => client_id.is_string() && accepted(client_id),
            (None, None) => false,
        };
        if !audience_ok {
            return Err(invalid("the audience is not accepted"));
        }
        if self.is_cognito() {
            match claims.get("token_use").and_then(Value::as_str) {
                Some("id") if claims.contains_key("aud") => {}
                Some("access") if !claims.contains_key("aud") && claims.contains_key("client_id") => {}
                _ => return Err(invalid("not a Cognito ID token (aud) or access token (client_id)")),
            }
        }
        Ok(())
    }
}

/// A claim as API Gateway renders it for the function: strings as they are, lists as
/// `[a b]`, anything else as JSON.
fn claim_string(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(claim_string).collect();
            format!("[{}]", parts.join(" "))
        }
        other => other.to_string(),
    }
}

/// The path part of an issuer URL without its trailing `/` (`""` for a bare host):
/// `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc` -> `/us-east-1_abc`.
pub fn issuer_path(issuer: &str) -> String {
    let rest = issuer.split_once("://").map_or(issuer, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |at| &rest[at..]);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/').to_owned()
}

/// The routes publishing each authorizer's issuer keys on the HTTP API (`api_url` is its
/// base URL, e.g. `http://127.0.0.1:3000`), without auth:
///
/// - `GET <issuer path>/.well-known/jwks.json`: [`SigningKey::jwks`];
/// - `GET <issuer path>/.well-known/openid-configuration`: `{"issuer", "jwks_uri",
///   "id_token_signing_alg_values_supported": ["ES256"], ...}`, `jwks_uri` pointing at the
///   local JWKS (the issuer stays the template's, as tokens carry it).
///
/// An issuer whose path holds a character axum reserves (`{`, `}`, `*`) is skipped.
pub fn discovery_router(authorizers: &[JwtAuthorizer], api_url: &str) -> axum::Router {
    let mut router = axum::Router::new();
    let mut seen = std::collections::BTreeSet::new();
    for authorizer in authorizers {
        let path = issuer_path(&authorizer.issuer);
        if path.contains(['{', '}', '*']) || !seen.insert(path.clone()) {
            continue;
        }
        let jwks_path = format!("{path}/.well-known/jwks.json");
        let jwks = serde_json::to_value(authorizer.key.jwks()).unwrap_or_default();
        let configuration = json!({
            "issuer": authorizer.issuer,
            "jwks_uri": format!("{api_url}{jwks_path}"),
            "id_token_signing_alg_values_supported": ["ES256"],
            "subject_types_supported": ["public"],
            "response_types_supported": ["code", "token"],
            "token_endpoint_auth_methods_supported": ["none"],
            "claims_supported": ["sub", "iss", "aud", "client_id", "exp", "iat", "nbf", "token_use", "cognito:groups", "groups"],
        });
        router = router.route(&jwks_path, get(move || std::future::ready(Json(jwks)))).route(
            &format!("{path}/.well-known/openid-configuration"),
            get(move || std::future::ready(Json(configuration))),
        );
    }
    router
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_MS: i64 = 1_800_000_000_000;
    const NOW: i64 = NOW_MS / 1000;

    fn authorizer(issuer: &str) -> JwtAuthorizer {
        JwtAuthorizer::new(issuer.into(), vec!["client".into()], Arc::new(SigningKey::load_or_create(None).unwrap()))
    }

    fn cognito() -> JwtAuthorizer {
        authorizer("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool")
    }

    /// An ID token's claims issued at [`NOW`], valid for an hour.
    fn claims(authorizer: &JwtAuthorizer) -> Map<String, Value> {
        let mut claims = authorizer.default_claims("user-1", &["staff".into()], 3600);
        claims.insert("iat".into(), json!(NOW));
        claims.insert("exp".into(), json!(NOW + 3600));
        claims
    }

    fn check(authorizer: &JwtAuthorizer, claims: &Map<String, Value>) -> Result<Map<String, Value>, Unauthorized> {
        let token = authorizer.sign(claims, Some(authorizer.key.kid())).unwrap();
        authorizer.authorize_at(Some(&format!("Bearer {token}")), NOW_MS)
    }

    fn with(authorizer: &JwtAuthorizer, changes: Value) -> Result<Map<String, Value>, Unauthorized> {
        let mut claims = claims(authorizer);
        for (key, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.remove(key);
            } else {
                claims.insert(key.clone(), value.clone());
            }
        }
        check(authorizer, &claims)
    }

    #[test]
    fn a_minted_token_passes_with_its_claims_as_strings() {
        let authorizer = authorizer("https://issuer.local");
        let token = authorizer.mint("user-1", &["staff".into(), "admin".into()], 60).unwrap();
        let claims = authorizer.authorize(Some(&format!("Bearer {token}"))).unwrap();
        assert_eq!(claims["sub"], "user-1");
        assert_eq!(claims["groups"], "[staff admin]");
        assert_eq!(claims["iss"], "https://issuer.local");
        assert!(claims["exp"].as_str().unwrap().parse::<i64>().is_ok());
        let bare = authorizer.authorize(Some(&token)).unwrap();
        assert_eq!(bare["sub"], "user-1", "the token without Bearer");
        assert!(cognito().authorize(Some(&cognito().mint("u", &[], 60).unwrap())).is_err(), "another key");
    }

    #[test]
    fn time_claims_have_no_leeway() {
        let a = cognito();
        assert!(with(&a, json!({})).is_ok());
        assert!(with(&a, json!({ "exp": NOW - 1 })).is_err(), "expired a second ago");
        assert!(with(&a, json!({ "exp": NOW })).is_err(), "expiring now");
        assert!(with(&a, json!({ "exp": NOW + 1 })).is_ok());
        assert!(with(&a, json!({ "exp": null })).is_err(), "no exp");
        assert!(with(&a, json!({ "exp": "9999999999" })).is_err(), "exp as a string");
        assert!(with(&a, json!({ "nbf": NOW + 1 })).is_err(), "nbf in the future");
        assert!(with(&a, json!({ "nbf": NOW })).is_ok());
        assert!(with(&a, json!({ "nbf": "0" })).is_err(), "nbf as a string");
        assert!(with(&a, json!({ "iat": NOW + 1 })).is_err(), "iat in the future");
        assert!(with(&a, json!({ "iat": NOW - 10 })).is_ok());
        assert!(with(&a, json!({ "iat": null })).is_ok(), "iat is optional");
        assert!(with(&a, json!({ "iat": [] })).is_err(), "iat as a list");
    }

    #[test]
    fn issuer_and_audience_are_exact() {
        let a = cognito();
        assert!(with(&a, json!({ "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool/" })).is_err());
        assert!(with(&a, json!({ "iss": "https://evil" })).is_err());
        assert!(with(&a, json!({ "iss": null })).is_err());
        assert!(with(&a, json!({ "aud": "other" })).is_err());
        assert!(with(&a, json!({ "aud": ["other", "client"] })).is_ok(), "a list holding the audience");
        assert!(with(&a, json!({ "aud": ["other"] })).is_err());
        assert!(with(&a, json!({ "aud": "Client" })).is_err(), "case matters");
        // `aud` is evaluated when present, even if `client_id` would match.
        assert!(with(&a, json!({ "aud": "other", "client_id": "client" })).is_err());
    }

    #[test]
    fn cognito_token_use_must_match_the_audience_claim() {
        let a = cognito();
        assert!(with(&a, json!({ "token_use": "access", "aud": null, "client_id": "client" })).is_ok());
        assert!(with(&a, json!({ "token_use": "access" })).is_err(), "an access token with aud");
        assert!(with(&a, json!({ "token_use": "id", "aud": null, "client_id": "client" })).is_err());
        assert!(with(&a, json!({ "token_use": "refresh" })).is_err());
        assert!(with(&a, json!({ "token_use": null })).is_err());
        assert!(with(&a, json!({ "token_use": "access", "aud": null, "client_id": "other" })).is_err());
        // Another issuer's tokens carry no token_use: API Gateway's rules only.
        let other = authorizer("https://issuer.local");
        assert!(with(&other, json!({ "token_use": null })).is_ok());
        assert!(with(&other, json!({ "token_use": null, "aud": null, "client_id": "client" })).is_ok());
        assert!(with(&other, json!({ "aud": null, "client_id": ["client"] })).is_err(), "client_id is a string");
    }

    #[test]
    fn the_header_names_the_key_and_the_algorithm() {
        let a = cognito();
        let claims = claims(&a);
        let at = |token: String| a.authorize_at(Some(&token), NOW_MS);
        assert!(at(a.sign(&claims, Some(a.key.kid())).unwrap()).is_ok());
        assert!(at(a.sign(&claims, None).unwrap()).is_err(), "no kid");
        assert!(at(a.sign(&claims, Some("other")).unwrap()).is_err(), "an unknown kid");
        let hs256 = jsonwebtoken::encode(
            &Header { kid: Some(a.key.kid().to_owned()), ..Header::new(Algorithm::HS256) },
            &claims,
            &EncodingKey::from_secret(b"secret"),
        )
        .unwrap();
        assert!(at(hs256).is_err(), "another algorithm");
        let mut tampered = a.sign(&claims, Some(a.key.kid())).unwrap();
        tampered.insert(tampered.len() - 5, 'x');
        assert!(at(tampered).is_err());
        assert!(matches!(a.authorize_at(None, NOW_MS), Err(Unauthorized::Missing)));
        assert!(at("not-a-jwt".into()).is_err());
    }

    #[test]
    fn the_jwks_verifies_minted_tokens() {
        let a = cognito();
        let jwks = serde_json::to_value(a.key.jwks()).unwrap();
        let key = &jwks["keys"][0];
        assert_eq!((key["kty"].as_str(), key["crv"].as_str()), (Some("EC"), Some("P-256")));
        assert_eq!((key["alg"].as_str(), key["use"].as_str()), (Some("ES256"), Some("sig")));
        assert_eq!(key["kid"], a.key.kid());
        let jwk: Jwk = serde_json::from_value(key.clone()).unwrap();
        let token = a.mint("u", &[], 60).unwrap();
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&["client"]);
        let data = jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_jwk(&jwk).unwrap(), &validation).unwrap();
        assert_eq!(data.claims["sub"], "u");
        assert_eq!(jsonwebtoken::decode_header(&token).unwrap().kid.as_deref(), Some(a.key.kid()));
    }

    #[test]
    fn issuer_paths() {
        assert_eq!(issuer_path("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"), "/us-east-1_abc");
        assert_eq!(issuer_path("https://example.auth0.com/"), "");
        assert_eq!(issuer_path("https://issuer.local/a/b/"), "/a/b");
        assert_eq!(issuer_path("https://issuer.local"), "");
    }
}
