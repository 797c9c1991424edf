//! Who is calling: the identity API Gateway's JWT authorizer verified, read from
//! `requestContext.authorizer.jwt.claims`.
//!
//! `sub` is the caller's id (opaque; a system may use it as its member's id). Roles are the
//! names in the token's `cognito:groups` (Cognito) and `groups` claims, matched whole and
//! exactly: a group named `staff,owner` or `not owner` is neither `staff` nor `owner`.
//! Routes without an authorizer get no claims.
//!
//! # Where the groups are read
//!
//! API Gateway hands list claims to the function as one string, the elements joined by a
//! space inside brackets (`["a", "b"]` becomes `[a b]`), which cannot tell a list from a
//! string that looks like one, nor one name holding a space from two names. So the groups
//! are read from the token itself when it is there: the authorizer's identity source is
//! `$request.header.Authorization`, which reaches the function unchanged, and API Gateway
//! verified exactly that token. Its payload (base64url JSON, the middle part) is used only
//! when its `sub` equals the verified `sub` claim and its `iat` and `exp`, where both sides
//! have them, equal the verified ones; then, for each of the two claims:
//!
//! - a JSON list of strings: each string is one group name, whole;
//! - a JSON string: one group name, whole (`"[owner]"` is a group of that name);
//! - anything else (a list holding a non-string, a number, an object): no groups.
//!
//! Without such a token (a hand-made event, a token the verified claims do not match), the
//! claims' bracketed form is parsed by [`parse_groups`], which grants nothing it cannot read
//! unambiguously.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use serde_json::{Map, Value};

use crate::http::ApiError;

/// The claims that may hold group names: Cognito's, then the generic one.
const GROUP_CLAIMS: [&str; 2] = ["cognito:groups", "groups"];

/// The verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's `sub`.
    pub subject: String,
    /// The token's groups, each a whole name.
    pub groups: Vec<String>,
}

impl Caller {
    /// Whether the caller is in `group` (exact, whole-name comparison).
    pub fn is(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// The caller if in `group`.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] naming the role otherwise.
    pub fn require(self, group: &str) -> Result<Self, ApiError> {
        if self.is(group) { Ok(self) } else { Err(ApiError::Forbidden(format!("this needs the {group} role"))) }
    }
}

/// Parses a groups claim in API Gateway's rendering of a list: `[a b]`, the elements
/// joined by one ASCII space (`[]` is the empty list). Cognito group names hold no
/// whitespace, so a single space is the only separator; commas are part of a name.
///
/// What is not unambiguous grants nothing (an empty list): a bracket inside the list, an
/// empty element (two spaces in a row, a space after `[` or before `]`), any other
/// whitespace. A claim that is not bracketed is one whole name (`staff,owner` is a
/// group of that name), or nothing when it holds whitespace or a bracket.
///
/// ```
/// use platform::auth::parse_groups;
/// assert_eq!(parse_groups("[staff owner]"), ["staff", "owner"]);
/// assert_eq!(parse_groups("[staff,owner]"), ["staff,owner"]);
/// assert!(parse_groups("[staff  owner]").is_empty());
/// ```
pub fn parse_groups(claim: &str) -> Vec<String> {
    let ambiguous = |name: &str| name.is_empty() || name.contains(['[', ']']) || name.contains(char::is_whitespace);
    match claim.strip_prefix('[').and_then(|c| c.strip_suffix(']')) {
        Some("") => Vec::new(),
        Some(inner) => {
            let names: Vec<&str> = inner.split(' ').collect();
            if names.iter().any(|name| ambiguous(name)) {
                return Vec::new();
            }
            names.into_iter().map(str::to_owned).collect()
        }
        None if ambiguous(claim) => Vec::new(),
        None => vec![claim.to_owned()],
    }
}

/// The group names of one claim of a token's payload (see the [module docs](self)): a list
/// of strings, or one string; nothing for any other shape.
pub fn token_groups(claim: &Value) -> Vec<String> {
    match claim {
        Value::String(name) => vec![name.clone()],
        Value::Array(items) => {
            let names: Option<Vec<String>> = items.iter().map(|item| item.as_str().map(str::to_owned)).collect();
            names.unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// The payload of the bearer token in `authorization` (`Bearer <jwt>` or the bare JWT),
/// when it is a JWT whose payload is a JSON object. The signature is not checked here: the
/// caller compares the payload with claims API Gateway verified.
fn token_payload(authorization: &str) -> Option<Map<String, Value>> {
    let token = authorization.trim();
    let token = match token.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => token,
    };
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A claim as API Gateway renders it for the function: a string as it is, anything else as
/// its JSON text (enough for `sub`, `iat` and `exp`).
fn rendered(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Whether `payload` is the token the authorizer verified into `claims`.
fn is_verified_token(payload: &Map<String, Value>, claims: &std::collections::HashMap<String, String>) -> bool {
    let sub_matches = matches!(
        (payload.get("sub"), claims.get("sub")),
        (Some(Value::String(sub)), Some(verified)) if sub == verified
    );
    sub_matches
        && ["iat", "exp"].iter().all(|name| match (payload.get(*name), claims.get(*name)) {
            (Some(value), Some(verified)) => rendered(value) == *verified,
            _ => true,
        })
}

/// The verified caller of `request`: `sub` from the verified claims, the groups from the
/// token or the claims (see the [module docs](self)).
///
/// # Errors
/// [`ApiError::Unauthorized`] when the request carries no verified identity.
pub fn caller(request: &Request) -> Result<Caller, ApiError> {
    let Some(RequestContext::ApiGatewayV2(context)) = request.request_context_ref() else {
        return Err(ApiError::Unauthorized);
    };
    let claims = context
        .authorizer
        .as_ref()
        .and_then(|a| a.jwt.as_ref())
        .map(|jwt| &jwt.claims)
        .ok_or(ApiError::Unauthorized)?;
    let subject = claims.get("sub").filter(|s| !s.is_empty()).cloned().ok_or(ApiError::Unauthorized)?;
    let payload = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(token_payload)
        .filter(|payload| is_verified_token(payload, claims));
    let groups = match payload {
        Some(payload) => GROUP_CLAIMS.iter().filter_map(|name| payload.get(*name)).flat_map(token_groups).collect(),
        None => GROUP_CLAIMS.iter().filter_map(|name| claims.get(*name)).flat_map(|c| parse_groups(c)).collect(),
    };
    Ok(Caller { subject, groups })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_bracketed_form_is_split_on_single_spaces_only() {
        assert_eq!(parse_groups("[staff owner]"), ["staff", "owner"]);
        assert_eq!(parse_groups("[owner]"), ["owner"]);
        assert!(parse_groups("[]").is_empty());
        assert_eq!(parse_groups("[staff,owner]"), ["staff,owner"], "a comma is part of the name");
        assert_eq!(parse_groups("[a,b c]"), ["a,b", "c"]);
        assert_eq!(parse_groups("[ünïcode-admin]"), ["ünïcode-admin"]);
    }

    #[test]
    fn what_is_ambiguous_grants_nothing() {
        for claim in [
            "[staff  owner]",
            "[ owner]",
            "[owner ]",
            "[ ]",
            "[[owner]]",
            "[[owner] staff]",
            "[own]er]",
            "[staff\towner]",
            "[staff\nowner]",
            "[staff\u{a0}owner]",
            "[owner",
            "owner]",
            "not owner",
            " owner",
            "",
        ] {
            assert!(parse_groups(claim).is_empty(), "{claim:?} grants nothing");
        }
    }

    #[test]
    fn a_claim_that_is_not_a_list_is_one_whole_name() {
        assert_eq!(parse_groups("owner"), ["owner"]);
        assert_eq!(parse_groups("staff,owner"), ["staff,owner"]);
        // A JSON text is not API Gateway's rendering: the quotes stay part of the name.
        assert_eq!(parse_groups(r#"["owner"]"#), [r#""owner""#]);
        let caller = Caller { subject: "s".into(), groups: parse_groups("staff,owner") };
        assert!(!caller.is("owner") && !caller.is("staff"));
    }

    #[test]
    fn token_claims_are_lists_of_whole_names() {
        assert_eq!(token_groups(&json!(["staff", "owner"])), ["staff", "owner"]);
        assert_eq!(token_groups(&json!(["staff,owner"])), ["staff,owner"]);
        assert_eq!(token_groups(&json!(["not owner"])), ["not owner"]);
        assert_eq!(token_groups(&json!("[owner]")), ["[owner]"]);
        assert_eq!(token_groups(&json!("owner")), ["owner"]);
        assert!(token_groups(&json!(["owner", 1])).is_empty(), "a list with a non-name");
        assert!(token_groups(&json!([["owner"]])).is_empty());
        assert!(token_groups(&json!({ "owner": true })).is_empty());
        assert!(token_groups(&json!(7)).is_empty());
        assert!(token_groups(&json!(null)).is_empty());
    }

    fn jwt(payload: &Value) -> String {
        let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.sig", part(&json!({ "alg": "ES256", "kid": "k" })), part(payload))
    }

    /// An HTTP API request whose authorizer verified `claims`, with `authorization`.
    fn request(claims: Value, authorization: Option<&str>) -> Request {
        let mut event = json!({
            "version": "2.0",
            "routeKey": "GET /x",
            "rawPath": "/x",
            "rawQueryString": "",
            "headers": {},
            "requestContext": {
                "accountId": "123456789012", "apiId": "api", "domainName": "localhost", "domainPrefix": "localhost",
                "http": { "method": "GET", "path": "/x", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t" },
                "requestId": "r", "routeKey": "GET /x", "stage": "$default", "time": "01/Jan/2026:00:00:00 +0000",
                "timeEpoch": 0,
                "authorizer": { "jwt": { "claims": claims, "scopes": null } }
            },
            "isBase64Encoded": false
        });
        if let Some(value) = authorization {
            event["headers"]["authorization"] = json!(value);
        }
        lambda_http::request::from_str(&event.to_string()).unwrap()
    }

    #[test]
    fn groups_come_from_the_verified_token_when_it_is_there() {
        let payload = json!({ "sub": "u1", "iat": 100, "exp": 200, "groups": ["staff,owner", "not owner"] });
        let claims = json!({ "sub": "u1", "iat": "100", "exp": "200", "groups": "[staff,owner not owner]" });
        let bearer = format!("Bearer {}", jwt(&payload));
        // From the claims alone, `not owner` would read as two names; the token says one.
        let caller = caller(&request(claims.clone(), Some(&bearer))).unwrap();
        assert_eq!(caller.subject, "u1");
        assert_eq!(caller.groups, ["staff,owner", "not owner"]);
        assert!(!caller.is("owner") && !caller.is("staff"));
        // The bare token, and `cognito:groups`, are read too.
        let cognito = json!({ "sub": "u1", "cognito:groups": ["owner"] });
        let caller = super::caller(&request(json!({ "sub": "u1", "cognito:groups": "[owner]" }), Some(&jwt(&cognito))));
        assert_eq!(caller.unwrap().groups, ["owner"]);
        // A string that looks like a list is one name.
        let lookalike = json!({ "sub": "u1", "groups": "[owner]" });
        let caller = super::caller(&request(json!({ "sub": "u1", "groups": "[owner]" }), Some(&jwt(&lookalike))));
        assert!(!caller.unwrap().is("owner"));
    }

    #[test]
    fn a_token_that_is_not_the_verified_one_is_ignored() {
        let claims = json!({ "sub": "u1", "iat": "100", "exp": "200", "groups": "[staff]" });
        for other in [
            json!({ "sub": "u2", "iat": 100, "exp": 200, "groups": ["owner"] }),
            json!({ "sub": "u1", "iat": 101, "exp": 200, "groups": ["owner"] }),
            json!({ "sub": "u1", "iat": 100, "exp": 999, "groups": ["owner"] }),
            json!({ "iat": 100, "exp": 200, "groups": ["owner"] }),
        ] {
            let caller = caller(&request(claims.clone(), Some(&format!("Bearer {}", jwt(&other))))).unwrap();
            assert_eq!(caller.groups, ["staff"], "{other}: the claims' groups, not the token's");
        }
        // No token, or a header that is no JWT (a sample event's redacted one): the claims.
        for header in [None, Some("Bearer eyJraWQiOiJ4In0.eyJzdWIiOiI...REDACTED"), Some("Bearer a.b")] {
            assert_eq!(caller(&request(claims.clone(), header)).unwrap().groups, ["staff"]);
        }
    }

    #[test]
    fn a_request_without_claims_is_unauthorized() {
        let request = lambda_http::http::Request::builder().uri("/x").body(lambda_http::Body::Empty).unwrap();
        assert!(matches!(caller(&request), Err(ApiError::Unauthorized)));
        assert!(matches!(super::caller(&self::request(json!({ "sub": "" }), None)), Err(ApiError::Unauthorized)));
    }
}
