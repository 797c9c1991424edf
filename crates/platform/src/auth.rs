//! Who is calling: the identity API Gateway's JWT authorizer verified, read from
//! `requestContext.authorizer.jwt.claims`.
//!
//! `sub` is the caller's id (opaque; a system may use it as its member's id); the `groups`
//! claim (Cognito's `cognito:groups`) holds roles such as `staff` and `admin`, as a list API
//! Gateway renders `[staff admin]`. Routes without an authorizer get no claims.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

use crate::http::ApiError;

/// The verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's `sub`.
    pub subject: String,
    /// The token's groups.
    pub groups: Vec<String>,
}

impl Caller {
    /// Whether the caller is in `group`.
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

/// Parses a groups claim: `[a b]` (API Gateway's rendering of a list), a JSON list, or
/// comma/space separated names.
pub fn parse_groups(claim: &str) -> Vec<String> {
    let trimmed = claim.trim();
    if let Ok(list) = serde_json::from_str::<Vec<String>>(trimmed) {
        return list;
    }
    trimmed
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The verified caller of `request`.
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
    let groups =
        ["groups", "cognito:groups"].iter().filter_map(|k| claims.get(*k)).flat_map(|c| parse_groups(c)).collect();
    Ok(Caller { subject, groups })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_claims_in_every_rendering() {
        assert_eq!(parse_groups("[staff admin]"), ["staff", "admin"]);
        assert_eq!(parse_groups(r#"["owner"]"#), ["owner"]);
        assert_eq!(parse_groups("staff,admin"), ["staff", "admin"]);
        assert!(parse_groups("[]").is_empty());
    }

    #[test]
    fn a_request_without_claims_is_unauthorized() {
        let request = lambda_http::http::Request::builder().uri("/x").body(lambda_http::Body::Empty).unwrap();
        assert!(matches!(caller(&request), Err(ApiError::Unauthorized)));
    }
}
