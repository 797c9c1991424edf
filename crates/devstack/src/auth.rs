//! JWT authorizers as API Gateway HTTP APIs run them, with the local stack as the issuer.
//!
//! The template's authorizer names an issuer and audiences (for SirenOrder, a Cognito user
//! pool and app client). Locally, tokens for that issuer are signed by the stack's own key
//! (ES256; kept in the state folder so tokens survive a restart) and minted on request
//! (`POST /_devstack/tokens`). A request to a protected route needs
//! `Authorization: Bearer <jwt>` with a valid signature, the configured `iss`, an `aud` (or
//! `client_id`) among the audiences, and an `exp` in the future; otherwise it gets `401`.
//! The claims reach the function in `requestContext.authorizer.jwt.claims` as strings, lists
//! written `[a b]`, as API Gateway passes them.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value, json};

/// The stack's signing key.
pub struct SigningKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
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
        Ok(Self {
            encoding: EncodingKey::from_ec_der(&pkcs8),
            decoding: DecodingKey::from_ec_der(pair.public_key().as_ref()),
        })
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
    /// Signature, issuer, audience or expiry is wrong.
    #[error("invalid token: {0}")]
    Invalid(String),
}

impl JwtAuthorizer {
    /// An authorizer for `issuer` and `audiences`, verifying with `key`.
    pub fn new(issuer: String, audiences: Vec<String>, key: Arc<SigningKey>) -> Self {
        Self { issuer, audiences, key }
    }

    /// Mints a token for `sub` in `groups`, valid for `ttl_seconds`.
    ///
    /// # Errors
    /// Only if signing fails.
    pub fn mint(&self, sub: &str, groups: &[String], ttl_seconds: i64) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = json!({
            "sub": sub,
            "iss": self.issuer,
            "aud": self.audiences.first().cloned().unwrap_or_default(),
            "iat": now,
            "exp": now + ttl_seconds,
            "token_use": "id",
            "groups": groups,
        });
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &self.key.encoding)?)
    }

    /// Checks the request's `Authorization` header and returns the claims as API Gateway
    /// passes them to the function.
    ///
    /// # Errors
    /// [`Unauthorized`] when the token is missing or invalid.
    pub fn authorize(&self, authorization: Option<&str>) -> Result<Map<String, Value>, Unauthorized> {
        let header = authorization.map(str::trim).filter(|h| !h.is_empty()).ok_or(Unauthorized::Missing)?;
        let token = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).unwrap_or(header).trim();
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&[&self.issuer]);
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss"]);
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &self.key.decoding, &validation)
            .map_err(|err| Unauthorized::Invalid(err.to_string()))?;
        let claims = data.claims;
        let audience_ok = ["aud", "client_id"].iter().any(|key| match claims.get(*key) {
            Some(Value::String(aud)) => self.audiences.contains(aud),
            Some(Value::Array(auds)) => {
                auds.iter().filter_map(Value::as_str).any(|a| self.audiences.iter().any(|x| x == a))
            }
            _ => false,
        });
        if !audience_ok {
            return Err(Unauthorized::Invalid("the audience is not accepted".to_owned()));
        }
        Ok(claims.into_iter().map(|(k, v)| (k, Value::String(claim_string(&v)))).collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn authorizer() -> JwtAuthorizer {
        JwtAuthorizer::new(
            "https://issuer.local".into(),
            vec!["client".into()],
            Arc::new(SigningKey::load_or_create(None).unwrap()),
        )
    }

    #[test]
    fn a_minted_token_passes_with_its_claims_as_strings() {
        let authorizer = authorizer();
        let token = authorizer.mint("user-1", &["staff".into(), "admin".into()], 60).unwrap();
        let claims = authorizer.authorize(Some(&format!("Bearer {token}"))).unwrap();
        assert_eq!(claims["sub"], "user-1");
        assert_eq!(claims["groups"], "[staff admin]");
        assert_eq!(claims["iss"], "https://issuer.local");
    }

    #[test]
    fn missing_expired_foreign_and_tampered_tokens_are_refused() {
        let authorizer = authorizer();
        assert!(matches!(authorizer.authorize(None), Err(Unauthorized::Missing)));
        let expired = authorizer.mint("u", &[], -120).unwrap();
        assert!(authorizer.authorize(Some(&expired)).is_err());
        let other_key = JwtAuthorizer::new(
            "https://issuer.local".into(),
            vec!["client".into()],
            Arc::new(SigningKey::load_or_create(None).unwrap()),
        );
        assert!(authorizer.authorize(Some(&other_key.mint("u", &[], 60).unwrap())).is_err());
        let other_audience = JwtAuthorizer { audiences: vec!["elsewhere".into()], ..authorizer.clone() };
        assert!(other_audience.authorize(Some(&authorizer.mint("u", &[], 60).unwrap())).is_err());
        let other_issuer = JwtAuthorizer { issuer: "https://evil".into(), ..authorizer.clone() };
        assert!(authorizer.authorize(Some(&other_issuer.mint("u", &[], 60).unwrap())).is_err());
        let mut tampered = authorizer.mint("u", &[], 60).unwrap();
        tampered.insert(tampered.len() - 5, 'x');
        assert!(authorizer.authorize(Some(&tampered)).is_err());
    }
}
