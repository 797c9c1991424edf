//! HTTP helpers for API Gateway HTTP API (payload 2.0) handlers.
//!
//! - JSON in: [`parse_json`] enforces a body size limit, a JSON content type and names the
//!   field that failed to deserialize.
//! - JSON out: [`json`].
//! - Errors: [`ApiError`] is the one place where failures become status codes; every error
//!   reply is an RFC 9457 `application/problem+json` body. Client mistakes are 4xx naming
//!   each bad field; a 5xx never carries internal text (the cause is logged instead).

use lambda_http::{Body, Response, http::StatusCode};
use serde::{Serialize, de::DeserializeOwned};

/// Largest request body accepted, in bytes. API Gateway allows more; our commands are small.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// One invalid input field: `field` is a JSON path such as `items[0].quantity`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// Path of the field in the request (body field, path or query parameter name).
    pub field: String,
    /// Why it was refused, for a person to read.
    pub detail: String,
}

impl FieldError {
    /// A field error for `field` explaining `detail`.
    pub fn new(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { field: field.into(), detail: detail.into() }
    }
}

/// Everything a handler can answer other than success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed; names every bad field.
    #[error("invalid request: {0:?}")]
    Validation(Vec<FieldError>),
    /// 400: the body is not JSON at all.
    #[error("malformed JSON body: {0}")]
    MalformedJson(String),
    /// 413: the body exceeds [`MAX_BODY_BYTES`].
    #[error("body too large")]
    PayloadTooLarge,
    /// 415: a body was sent with a content type other than JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 401: no valid identity (the JWT authorizer passed no claims).
    #[error("unauthorized")]
    Unauthorized,
    /// 403: the caller's role does not allow this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: the addressed resource does not exist (or is not the caller's to see).
    #[error("not found: {0}")]
    NotFound(String),
    /// 409: the request conflicts with the resource's current state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 422: well-formed, but the domain refuses it.
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    /// 503: a dependency cannot answer now; retry after the given seconds.
    #[error("service unavailable: {detail}")]
    Unavailable {
        /// Shown to the client: which capability is unavailable, without internals.
        detail: String,
        /// Value of the `Retry-After` header, in seconds.
        retry_after_seconds: u32,
    },
    /// 500: our fault. The cause is logged, never sent.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// 400 for a single bad field.
    pub fn field(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, detail)])
    }

    /// The status code this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Renders the problem details response. Logs the cause chain of a 500.
    pub fn into_response(self) -> Response<Body> {
        let status = self.status();
        let title = status.canonical_reason().unwrap_or("Error");
        let mut problem = serde_json::json!({
            "type": "about:blank",
            "title": title,
            "status": status.as_u16(),
        });
        let detail = match &self {
            Self::Validation(errors) => {
                problem["errors"] = serde_json::to_value(errors).unwrap_or_default();
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                format!("invalid fields: {}", fields.join(", "))
            }
            Self::MalformedJson(reason) => format!("the body is not valid JSON: {reason}"),
            Self::PayloadTooLarge => format!("the body exceeds {MAX_BODY_BYTES} bytes"),
            Self::UnsupportedMediaType => "send the body as application/json".to_owned(),
            Self::Unauthorized => "a valid token is required".to_owned(),
            Self::NotFound(what) | Self::Forbidden(what) | Self::Conflict(what) | Self::Unprocessable(what) => {
                what.clone()
            }
            Self::Unavailable { detail, .. } => detail.clone(),
            Self::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
                "an internal error occurred; it has been logged".to_owned()
            }
        };
        problem["detail"] = serde_json::Value::String(detail);
        let mut builder = Response::builder().status(status).header("content-type", "application/problem+json");
        if let Self::Unavailable { retry_after_seconds, .. } = &self {
            builder = builder.header("retry-after", retry_after_seconds.to_string());
        }
        builder.body(Body::Text(problem.to_string())).expect("static headers are valid")
    }
}

/// Turns a handler's result into the HTTP response, errors included.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(ApiError::into_response)
}

/// A JSON response with the given status.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Response<Body>, ApiError> {
    let body = serde_json::to_string(value).map_err(|err| ApiError::Internal(err.into()))?;
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body))
        .expect("static headers are valid"))
}

/// Deserializes the request body as JSON into `T`.
///
/// # Errors
/// - [`ApiError::PayloadTooLarge`] above [`MAX_BODY_BYTES`];
/// - [`ApiError::UnsupportedMediaType`] when a content type other than JSON is given;
/// - [`ApiError::MalformedJson`] when the body is empty or not JSON;
/// - [`ApiError::Validation`] naming the field whose type or value is wrong.
pub fn parse_json<T: DeserializeOwned>(request: &lambda_http::Request) -> Result<T, ApiError> {
    if let Some(content_type) = request.headers().get("content-type") {
        let content_type = content_type.to_str().unwrap_or_default().to_ascii_lowercase();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(ApiError::UnsupportedMediaType);
        }
    }
    let bytes: &[u8] = request.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::MalformedJson("the body is empty".to_owned()));
    }
    // Syntax first, so a syntax error is not reported as a field error.
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|err| ApiError::MalformedJson(err.to_string()))?;
    if !value.is_object() {
        return Err(ApiError::MalformedJson("expected a JSON object".to_owned()));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let field = err.path().to_string();
        let detail = err.inner().to_string();
        if field == "." {
            // A missing required field: serde names it in the message.
            let field = detail.split('`').nth(1).map_or_else(|| "body".to_owned(), str::to_owned);
            ApiError::field(field, detail)
        } else {
            ApiError::field(field, detail)
        }
    })
}

/// Collects field errors while validating a command; empty means valid.
#[derive(Debug, Default)]
pub struct Validation {
    errors: Vec<FieldError>,
}

impl Validation {
    /// A fresh, empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the error of `result` under `field`, returning the value if it was valid.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.errors.push(FieldError::new(field, err.to_string()));
                None
            }
        }
    }

    /// Parses a required `field`: records it as missing when absent, or the error of
    /// `parse` when it is refused; the parsed value otherwise.
    pub fn required<V, T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        value: Option<V>,
        parse: impl FnOnce(V) -> Result<T, E>,
    ) -> Option<T> {
        match value {
            Some(value) => self.check(field, parse(value)),
            None => {
                self.missing(field);
                None
            }
        }
    }

    /// Records that a required `field` is missing.
    pub fn missing(&mut self, field: &str) {
        self.reject(field, "is required");
    }

    /// Records that `field` is refused for `detail`.
    pub fn reject(&mut self, field: &str, detail: &str) {
        self.errors.push(FieldError::new(field, detail));
    }

    /// `Ok(())` when nothing was recorded, else 400 naming every bad field.
    ///
    /// # Errors
    /// [`ApiError::Validation`] with the recorded fields.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::Validation(self.errors)) }
    }
}

/// A required path parameter (e.g. `customerId` in `/customers/{customerId}`).
///
/// # Errors
/// 400 naming the parameter when API Gateway did not pass it.
pub fn path_parameter(request: &lambda_http::Request, name: &str) -> Result<String, ApiError> {
    use lambda_http::RequestExt;
    request
        .path_parameters_ref()
        .and_then(|params| params.first(name))
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ApiError::field(name, "path parameter is required"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        name: String,
        price: i64,
    }

    fn request(body: &str, content_type: Option<&str>) -> lambda_http::Request {
        let mut builder = lambda_http::http::Request::builder().method("POST").uri("/x");
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        builder.body(Body::Text(body.to_owned())).unwrap()
    }

    fn problem(err: ApiError) -> (u16, serde_json::Value) {
        let response = err.into_response();
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let status = response.status().as_u16();
        let body: serde_json::Value = serde_json::from_slice(response.body().as_ref()).unwrap();
        (status, body)
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let err = parse_json::<Item>(&request(r#"{"name":"A","price":"x"}"#, None)).unwrap_err();
        let (status, body) = problem(err);
        assert_eq!(status, 400);
        assert_eq!(body["errors"][0]["field"], "price");
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = parse_json::<Item>(&request(r#"{"name":"A"}"#, Some("application/json"))).unwrap_err();
        let (_, body) = problem(err);
        assert_eq!(body["errors"][0]["field"], "price");
    }

    #[test]
    fn malformed_empty_oversized_and_non_json_bodies_are_refused() {
        assert_eq!(problem(parse_json::<Item>(&request("{", None)).unwrap_err()).0, 400);
        assert_eq!(problem(parse_json::<Item>(&request("", None)).unwrap_err()).0, 400);
        assert_eq!(problem(parse_json::<Item>(&request("[]", None)).unwrap_err()).0, 400);
        let big = format!(r#"{{"name":"{}","price":1}}"#, "a".repeat(MAX_BODY_BYTES));
        assert_eq!(problem(parse_json::<Item>(&request(&big, None)).unwrap_err()).0, 413);
        let err = parse_json::<Item>(&request("{}", Some("text/plain"))).unwrap_err();
        assert_eq!(problem(err).0, 415);
    }

    #[test]
    fn required_fields_are_named_when_missing_or_refused() {
        let mut validation = Validation::new();
        let parse = |n: i64| if n > 0 { Ok(n) } else { Err("must be positive") };
        assert_eq!(validation.required("a", Some(3), parse), Some(3));
        assert_eq!(validation.required("b", None, parse), None);
        assert_eq!(validation.required("c", Some(-1), parse), None);
        let Err(ApiError::Validation(errors)) = validation.finish() else { panic!("two fields are bad") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["b", "c"]);
        assert_eq!(errors[1].detail, "must be positive");
    }

    #[test]
    fn an_internal_error_does_not_leak_its_cause() {
        let (status, body) = problem(ApiError::Internal(anyhow::anyhow!("table secret-table missing")));
        assert_eq!(status, 500);
        assert!(!body.to_string().contains("secret-table"));
    }

    #[test]
    fn unavailable_carries_retry_after() {
        let response = ApiError::Unavailable { detail: "the catalogue".into(), retry_after_seconds: 2 }.into_response();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "2");
    }
}
