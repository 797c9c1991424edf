//! HTTP helpers for API Gateway HTTP API (payload 2.0) handlers.
//!
//! - JSON in: [`parse_json`] enforces a body size limit and a JSON content type, refuses a
//!   key given twice in any object (`{"price":-5,"price":100}`), refuses text holding
//!   control, bidirectional or invisible characters (the exact sets are in
//!   [`crate::text`]), puts every string in NFC, and names the field that failed to
//!   deserialize, as a JSON path (`price`, `items[0].quantity`).
//! - Query parameters: [`query_parameter`] applies the same text rules to one parameter.
//! - JSON out: [`json`].
//! - Errors: [`ApiError`] is the one place where failures become status codes; every error
//!   reply is an RFC 9457 `application/problem+json` body. Client mistakes are 4xx naming
//!   each bad field; a 5xx never carries internal text (the cause is logged instead).

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

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
/// Stricter than JSON itself: an object may not give a key twice (JSON parsers disagree
/// on which one wins), no string (value or key) may hold a character [`crate::text`]
/// refuses, and every string reaches `T` in NFC. Numbers go to `T`'s own types, so an
/// integer that does not fit (`1e30` for an `i64`, `-1` for a `u32`) is a 400 naming its
/// field, not a 500.
///
/// # Errors
/// - [`ApiError::PayloadTooLarge`] above [`MAX_BODY_BYTES`];
/// - [`ApiError::UnsupportedMediaType`] when a content type other than JSON is given;
/// - [`ApiError::MalformedJson`] when the body is empty, not JSON or not an object;
/// - [`ApiError::Validation`] naming the key given twice, the string holding a refused
///   character, or the field whose type or value is wrong (the first one found).
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
    // Syntax, duplicate keys and text first, so a syntax error is not reported as a field
    // error and `T` only ever sees clean text.
    let value = strict_value(bytes)?;
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

/// Parses `bytes` as one JSON value, refusing a repeated key in any object and any string
/// [`crate::text::clean`] refuses (naming its path); every string (keys too) in NFC.
fn strict_value(bytes: &[u8]) -> Result<Value, ApiError> {
    // Syntax over the whole body first (cheap: at most MAX_BODY_BYTES), so a truncated body
    // is malformed JSON even when a duplicate key comes before the cut.
    serde_json::from_slice::<de::IgnoredAny>(bytes).map_err(|err| ApiError::MalformedJson(err.to_string()))?;
    let mut path = Vec::new();
    let mut refused = None;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = StrictValue { path: &mut path, refused: &mut refused }
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    match (parsed, refused) {
        (_, Some(field)) => Err(ApiError::Validation(vec![field])),
        (Ok(value), None) => Ok(value),
        (Err(err), None) => Err(ApiError::MalformedJson(err.to_string())),
    }
}

/// One step of a JSON path.
enum Step {
    /// A member of an object.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// `path` as [`serde_path_to_error`] writes it (`items[0].quantity`); `body` for the root.
fn json_path(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) if out.is_empty() => out.push_str(key),
            Step::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Step::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    if out.is_empty() { "body".to_owned() } else { out }
}

/// Builds a [`Value`] like `serde_json::Value`'s own `Deserialize`, but refuses what
/// [`strict_value`] refuses. A refusal is recorded in `refused` (the field and why) and
/// the parse is aborted with a placeholder error.
struct StrictValue<'a> {
    /// Where the value being read sits.
    path: &'a mut Vec<Step>,
    /// The first refusal, if any.
    refused: &'a mut Option<FieldError>,
}

impl StrictValue<'_> {
    fn nested(&mut self) -> StrictValue<'_> {
        StrictValue { path: &mut *self.path, refused: &mut *self.refused }
    }

    fn refuse<E: de::Error>(&mut self, field: String, detail: String) -> E {
        *self.refused = Some(FieldError::new(field, detail));
        E::custom("refused")
    }

    fn text<E: de::Error>(&mut self, text: &str) -> Result<String, E> {
        match crate::text::clean(text) {
            Ok(text) => Ok(text.into_owned()),
            Err(err) => Err(self.refuse(json_path(self.path), err.to_string())),
        }
    }
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(mut self, value: &str) -> Result<Value, E> {
        self.text(value).map(Value::String)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            self.path.push(Step::Index(items.len()));
            let item = seq.next_element_seed(self.nested());
            self.path.pop();
            match item? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(raw) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let key = match crate::text::clean(&raw) {
                Ok(key) => key.into_owned(),
                Err(err) => {
                    // Name the key without echoing what it hides.
                    let shown: String = raw
                        .chars()
                        .map(|ch| match crate::text::refusal(ch) {
                            Some(_) => format!("\\u{{{:04X}}}", u32::from(ch)),
                            None => ch.to_string(),
                        })
                        .collect();
                    self.path.push(Step::Key(shown));
                    let field = json_path(self.path);
                    return Err(self.refuse(field, format!("key {err}")));
                }
            };
            self.path.push(Step::Key(key.clone()));
            if object.contains_key(&key) {
                let field = json_path(self.path);
                return Err(self.refuse(field, "is given more than once".to_owned()));
            }
            let value = map.next_value_seed(self.nested());
            self.path.pop();
            object.insert(key, value?);
        }
        Ok(Value::Object(object))
    }
}

/// One query-string parameter as text, in NFC; `None` when absent. Use it for every query
/// parameter a handler reads: the text rules of [`parse_json`] apply.
///
/// # Errors
/// 400 naming the parameter when it is given more than once or holds a character
/// [`crate::text`] refuses.
pub fn query_parameter(request: &lambda_http::Request, name: &str) -> Result<Option<String>, ApiError> {
    use lambda_http::RequestExt;
    let Some(values) = request.query_string_parameters_ref().and_then(|query| query.all(name)) else {
        return Ok(None);
    };
    match values.as_slice() {
        [] => Ok(None),
        [value] => crate::text::clean(value)
            .map(|text| Some(text.into_owned()))
            .map_err(|err| ApiError::field(name, err.to_string())),
        _ => Err(ApiError::field(name, "is given more than once")),
    }
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

    fn refused_field(body: &str) -> (String, String) {
        let err = parse_json::<serde_json::Value>(&request(body, None)).unwrap_err();
        let (status, body) = problem(err);
        assert_eq!(status, 400, "{body}");
        (
            body["errors"][0]["field"].as_str().unwrap().to_owned(),
            body["errors"][0]["detail"].as_str().unwrap().to_owned(),
        )
    }

    #[test]
    fn a_key_given_twice_is_refused_by_name_wherever_it_is() {
        let err = parse_json::<Item>(&request(r#"{"price":-5,"price":100,"name":"A"}"#, None)).unwrap_err();
        let (status, body) = problem(err);
        assert_eq!(status, 400);
        assert_eq!(body["errors"][0]["field"], "price");
        assert_eq!(body["errors"][0]["detail"], "is given more than once");
        assert_eq!(refused_field(r#"{"name":"A","name":"A"}"#).0, "name", "even with the same value");
        assert_eq!(refused_field(r#"{"items":[{"q":1},{"id":"a","q":1,"q":2}]}"#).0, "items[1].q");
        assert_eq!(refused_field(r#"{"a":{"b":{"c":1,"c":1}}}"#).0, "a.b.c");
        // Keys are compared after NFC: `é` spelt two ways is one key.
        assert_eq!(refused_field(r#"{"cr\u00e8me":1,"cre\u0300me":2}"#).0, "crème");
        // Distinct keys at different levels are fine.
        let value = parse_json::<serde_json::Value>(&request(r#"{"a":{"a":1},"b":[{"a":2},{"a":3}]}"#, None)).unwrap();
        assert_eq!(value["b"][1]["a"], 3);
    }

    #[test]
    fn refused_characters_in_any_string_are_named_by_path() {
        let (field, detail) = refused_field(r#"{"name":"Ameri\u0000cano"}"#);
        assert_eq!((field.as_str(), detail.as_str()), ("name", "must not contain U+0000 (a control character)"));
        assert_eq!(refused_field(r#"{"name":"a\u202eb"}"#).0, "name");
        assert_eq!(refused_field(r#"{"name":"a\u200bb"}"#).0, "name");
        assert_eq!(refused_field(r#"{"name":"a\nb"}"#).0, "name");
        assert_eq!(refused_field(r#"{"name":"a\u2028b"}"#).0, "name");
        // Raw (unescaped) UTF-8 is checked as well as \u escapes.
        assert_eq!(refused_field("{\"name\":\"a\u{202e}b\"}").0, "name");
        assert_eq!(refused_field("{\"name\":\"a\u{feff}b\"}").0, "name");
        assert_eq!(refused_field(r#"{"items":[{"id":"ok"},{"id":"x\t"}]}"#).0, "items[1].id");
        assert_eq!(refused_field(r#"{"tags":["ok","\u0007"]}"#).0, "tags[1]");
        // A refused key is named with the character escaped, not echoed.
        let (field, detail) = refused_field(r#"{"na\u200dme":"x"}"#);
        assert_eq!(field, "na\\u{200D}me");
        assert_eq!(detail, "key must not contain U+200D (an invisible character)");
    }

    #[test]
    fn strings_reach_the_handler_in_nfc() {
        let item: Item = parse_json(&request(r#"{"name":"cre\u0300me \u1111\u1161\u11ab","price":1}"#, None)).unwrap();
        assert_eq!(item.name, "crème 판");
        let item: Item = parse_json(&request("{\"name\":\"e\u{301}\",\"price\":1}", None)).unwrap();
        assert_eq!(item.name, "é");
    }

    #[test]
    fn numbers_that_do_not_fit_their_field_are_named() {
        for price in ["1e30", "18446744073709551616", "9223372036854775808", "-9223372036854775809", "1.5", "1e3"] {
            let err = parse_json::<Item>(&request(&format!(r#"{{"name":"A","price":{price}}}"#), None)).unwrap_err();
            let (status, body) = problem(err);
            assert_eq!((status, body["errors"][0]["field"].as_str()), (400, Some("price")), "{price}: {body}");
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Line {
            quantity: u32,
        }
        for quantity in ["-1", "4294967296"] {
            let body = format!(r#"{{"items":[{{"quantity":{quantity}}}]}}"#);
            #[derive(Debug, Deserialize)]
            #[allow(dead_code)]
            struct Order {
                items: Vec<Line>,
            }
            let (status, problem) = problem(parse_json::<Order>(&request(&body, None)).unwrap_err());
            assert_eq!((status, problem["errors"][0]["field"].as_str()), (400, Some("items[0].quantity")));
        }
        let item: Item = parse_json(&request(r#"{"name":"A","price":-9223372036854775808}"#, None)).unwrap();
        assert_eq!(item.price, i64::MIN, "the range check is the field's own");
    }

    #[test]
    fn syntax_errors_stay_malformed_json() {
        for body in [r#"{"a":1,"a""#, r#"{"a":"\ud800"}"#, r#"{"a":1} {"#, "{\"a\":\"\u{0}\"}"] {
            let err = parse_json::<serde_json::Value>(&request(body, None)).unwrap_err();
            assert!(matches!(err, ApiError::MalformedJson(_)), "{body}: {err:?}");
        }
    }

    #[test]
    fn query_parameters_are_checked_and_normalized() {
        use lambda_http::RequestExt;
        use std::collections::HashMap;
        let with = |pairs: &[(&str, &str)]| {
            let mut query: HashMap<String, Vec<String>> = HashMap::new();
            for (name, value) in pairs {
                query.entry((*name).to_owned()).or_default().push((*value).to_owned());
            }
            request("", None).with_query_string_parameters(query)
        };
        assert_eq!(query_parameter(&with(&[]), "q").unwrap(), None);
        assert_eq!(query_parameter(&with(&[("q", "cre\u{300}me")]), "q").unwrap().as_deref(), Some("crème"));
        for bad in [with(&[("q", "a\u{202e}")]), with(&[("q", "a\0")]), with(&[("q", "a"), ("q", "b")])] {
            let (status, body) = problem(query_parameter(&bad, "q").unwrap_err());
            assert_eq!((status, body["errors"][0]["field"].as_str()), (400, Some("q")));
        }
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
