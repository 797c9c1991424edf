//! The HTTP API: routes from the template's `HttpApi` events, served on a local port as
//! API Gateway does, turning each request into a payload format 2.0 event and the
//! function's answer back into an HTTP response.
//!
//! The gateway's own answers are API Gateway's, not the functions' problem details: a
//! `{"message": ...}` JSON body (`content-type: application/json`), e.g. 404
//! `{"message":"Not Found"}` when no route matches, 401 `{"message":"Unauthorized"}` with a
//! `www-authenticate` header when the JWT authorizer refuses the token, 413
//! `{"message":"Request Entity Too Large"}` above 10 MB, 500 `{"message":"Internal Server
//! Error"}` when the function fails, 503 `{"message":"Service Unavailable"}` when it times out.
//! Every answer carries an `apigw-requestid` header, the `requestContext.requestId` the
//! function saw.
//!
//! With a `CorsConfiguration` on the HTTP API ([`Cors`]), the gateway answers CORS preflight
//! requests itself (before any authorizer, with or without an `OPTIONS` route), adds the
//! configured `access-control-*` headers to every answer to an allowed `Origin`, and drops
//! the ones a function returns.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};

use crate::lambda::{Function, Outcome};

/// API Gateway's payload limit, in bytes.
const MAX_PAYLOAD_BYTES: usize = 10 * 1024 * 1024;

/// One route: method (or `ANY`), path template, and its function.
#[derive(Clone)]
pub struct Route {
    /// `GET`, `POST`, ..., or `ANY`.
    pub method: String,
    /// `/customers/{customerId}`; `{name+}` matches the rest of the path.
    pub path: String,
    /// The integration.
    pub function: Arc<Function>,
    /// The JWT authorizer guarding the route, if any.
    pub authorizer: Option<crate::auth::JwtAuthorizer>,
}

impl Route {
    fn route_key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Path parameters when `path` matches this route's template.
    fn matches(&self, method: &str, path: &str) -> Option<BTreeMap<String, String>> {
        if self.method != "ANY" && self.method != method {
            return None;
        }
        let mut parameters = BTreeMap::new();
        let template: Vec<&str> = self.path.trim_matches('/').split('/').collect();
        let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
        for (index, segment) in template.iter().enumerate() {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix("+}")) {
                let rest = actual.get(index..)?.join("/");
                if rest.is_empty() {
                    return None;
                }
                parameters.insert(name.to_owned(), decode(&rest));
                return Some(parameters);
            }
            let value = actual.get(index)?;
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if !value.is_empty() => {
                    parameters.insert(name.to_owned(), decode(value));
                }
                Some(_) => return None,
                None if segment == value => {}
                None => return None,
            }
        }
        (template.len() == actual.len()).then_some(parameters)
    }

    /// More literal segments first, so `/orders/mine` wins over `/orders/{id}`.
    fn specificity(&self) -> (usize, usize) {
        let literal = self.path.split('/').filter(|s| !s.starts_with('{')).count();
        (literal, usize::from(self.method != "ANY"))
    }
}

fn decode(segment: &str) -> String {
    percent_decode(segment, false)
}

fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(Ok(byte)) = text.get(i + 1..i + 3).map(|hex| u8::from_str_radix(hex, 16))
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(if plus_is_space && bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The routes of one HTTP API.
#[derive(Clone)]
pub struct Gateway {
    routes: Arc<Vec<Route>>,
    cors: Option<Arc<Cors>>,
}

impl Gateway {
    /// A gateway over `routes`, without CORS.
    pub fn new(mut routes: Vec<Route>) -> Self {
        routes.sort_by_key(|r| std::cmp::Reverse(r.specificity()));
        Self { routes: Arc::new(routes), cors: None }
    }

    /// The same gateway with the HTTP API's CORS configuration (`None`: no CORS, as an API
    /// without `CorsConfiguration`).
    #[must_use]
    pub fn with_cors(mut self, cors: Option<Cors>) -> Self {
        self.cors = cors.map(Arc::new);
        self
    }

    /// The axum router serving every route.
    pub fn router(self) -> axum::Router {
        axum::Router::new().fallback(handle).with_state(self)
    }
}

async fn handle(State(gateway): State<Gateway>, request: Request) -> Response {
    let request_id = request_id();
    let origin = request.headers().get("origin").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut response = match gateway.cors.as_deref() {
        Some(cors) if is_preflight(&request) => cors.preflight(request.headers()),
        Some(cors) => {
            let mut response = route(&gateway, request, &request_id).await;
            cors.decorate(origin.as_deref(), response.headers_mut());
            response
        }
        None => route(&gateway, request, &request_id).await,
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("apigw-requestid", value);
    }
    response
}

/// A request id in API Gateway's form (`Mc7UVioPPHcEKPA=`: 11 random bytes, base64).
fn request_id() -> String {
    BASE64.encode(&uuid::Uuid::new_v4().as_bytes()[..11])
}

async fn route(gateway: &Gateway, request: Request, request_id: &str) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let Some((route, parameters)) =
        gateway.routes.iter().find_map(|route| route.matches(&method, &path).map(|p| (route, p)))
    else {
        return message(StatusCode::NOT_FOUND, "Not Found");
    };
    let claims = match &route.authorizer {
        None => None,
        Some(authorizer) => {
            let header = parts.headers.get("authorization").and_then(|v| v.to_str().ok());
            match authorizer.authorize(header) {
                Ok(claims) => Some(claims),
                Err(err) => {
                    tracing::info!(route = %route.route_key(), reason = %err, "request refused by the JWT authorizer");
                    return unauthorized(&err);
                }
            }
        }
    };
    let Ok(body) = to_bytes(body, MAX_PAYLOAD_BYTES).await else {
        return message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    };
    let mut event = event(route, &parts, &parameters, &body, request_id);
    if let Some(claims) = claims {
        event["requestContext"]["authorizer"] = json!({ "jwt": { "claims": claims, "scopes": null } });
    }
    let correlation = parts.headers.get("x-correlation-id").and_then(|v| v.to_str().ok());
    let context = crate::trace::InvocationContext::http(&route.route_key(), correlation, request_id);
    let invocation = route.function.invoke_traced(Bytes::from(event.to_string()), context).await;
    match invocation.outcome {
        Outcome::Response(payload) => into_response(&payload),
        Outcome::Error(error) if error["errorType"] == "Sandbox.Timedout" => {
            message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
        }
        Outcome::Error(_) => message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    }
}

/// API Gateway's 401: `{"message":"Unauthorized"}` and a `www-authenticate` header, `Bearer`
/// alone when there was no token, else with `error="invalid_token"` and the reason, as API
/// Gateway writes it (`Bearer scope="" error="invalid_token" error_description="..."`).
fn unauthorized(err: &crate::auth::Unauthorized) -> Response {
    let challenge = if matches!(err, crate::auth::Unauthorized::Missing) {
        "Bearer".to_owned()
    } else {
        let text = err.to_string();
        let reason: String = text
            .strip_prefix("invalid token: ")
            .unwrap_or(&text)
            .chars()
            .map(|c| if c == '"' || c == '\\' || c.is_control() || !c.is_ascii() { ' ' } else { c })
            .collect();
        format!("Bearer scope=\"\" error=\"invalid_token\" error_description=\"{reason}\"")
    };
    let mut response = message(StatusCode::UNAUTHORIZED, "Unauthorized");
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert("www-authenticate", value);
    }
    response
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, [("content-type", "application/json")], json!({ "message": text }).to_string()).into_response()
}

/// Whether `request` is a CORS preflight: `OPTIONS` with `Origin` and
/// `Access-Control-Request-Method` (API Gateway answers only those itself).
fn is_preflight(request: &Request) -> bool {
    request.method() == axum::http::Method::OPTIONS
        && request.headers().contains_key("origin")
        && request.headers().contains_key("access-control-request-method")
}

/// The HTTP API's `CorsConfiguration` (SAM `HttpApiCorsConfiguration`, CloudFormation
/// `AWS::ApiGatewayV2::Api Cors`), as API Gateway applies it.
///
/// - A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered by
///   the gateway, before routes and authorizers: `204`, no body. It carries
///   `access-control-allow-origin`, `-allow-methods`, `-allow-headers`, `-max-age` and
///   `-allow-credentials` only when the origin, the requested method and every requested
///   header are allowed; otherwise no `access-control-*` header at all.
/// - Any other answer to a request whose `Origin` is allowed gets
///   `access-control-allow-origin` (the origin, or `*` when `*` is allowed),
///   `access-control-expose-headers` and `access-control-allow-credentials` as configured;
///   `access-control-*` headers a function returns are dropped.
///
/// Origins are exact (`https://app.example.com`, compared without regard to ASCII case),
/// `*`, or `https://*` / `http://*` (any origin of that scheme).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cors {
    /// `AllowOrigins`.
    pub allow_origins: Vec<String>,
    /// `AllowMethods`, e.g. `GET`, or `*`.
    pub allow_methods: Vec<String>,
    /// `AllowHeaders`, e.g. `authorization`, or `*`.
    pub allow_headers: Vec<String>,
    /// `ExposeHeaders`.
    pub expose_headers: Vec<String>,
    /// `MaxAge`, in seconds.
    pub max_age: Option<u64>,
    /// `AllowCredentials`.
    pub allow_credentials: bool,
}

impl Cors {
    /// Reads a resolved `CorsConfiguration` value: `null` or `false` is no CORS; an object
    /// with `AllowOrigins`, `AllowMethods`, `AllowHeaders`, `ExposeHeaders` (lists of
    /// strings), `MaxAge` (seconds) and `AllowCredentials` (boolean), any of them absent.
    ///
    /// # Errors
    /// When the value is of another shape, a list holds a non-string, `MaxAge` is not a
    /// whole number, or `AllowCredentials` is true with `*` among the origins (API Gateway
    /// refuses that configuration).
    pub fn from_configuration(value: &Value) -> anyhow::Result<Option<Self>> {
        let config = match value {
            Value::Null | Value::Bool(false) => return Ok(None),
            Value::Object(config) => config,
            other => anyhow::bail!("CorsConfiguration: expected an object, got {other}"),
        };
        let list = |key: &str| -> anyhow::Result<Vec<String>> {
            match config.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map(|s| s.trim().to_owned())
                            .ok_or_else(|| anyhow::anyhow!("CorsConfiguration.{key}: {item} is not a string"))
                    })
                    .collect(),
                Some(other) => anyhow::bail!("CorsConfiguration.{key}: expected a list, got {other}"),
            }
        };
        let max_age = match config.get("MaxAge") {
            None | Some(Value::Null) => None,
            Some(value) => Some(
                crate::template::scalar_string(value)
                    .parse::<u64>()
                    .map_err(|_| anyhow::anyhow!("CorsConfiguration.MaxAge: {value} is not a number of seconds"))?,
            ),
        };
        let allow_credentials = matches!(
            config.get("AllowCredentials").map(crate::template::scalar_string).as_deref(),
            Some("true" | "True" | "TRUE")
        );
        let cors = Self {
            allow_origins: list("AllowOrigins")?,
            allow_methods: list("AllowMethods")?,
            allow_headers: list("AllowHeaders")?,
            expose_headers: list("ExposeHeaders")?,
            max_age,
            allow_credentials,
        };
        anyhow::ensure!(
            !(cors.allow_credentials && cors.allow_origins.iter().any(|o| o == "*")),
            "CorsConfiguration: AllowCredentials cannot be true when AllowOrigins holds *"
        );
        Ok(Some(cors))
    }

    /// The `access-control-allow-origin` value for a request from `origin`, if allowed.
    fn allowed_origin(&self, origin: &str) -> Option<String> {
        let lower = origin.to_ascii_lowercase();
        let mut allowed = false;
        for pattern in &self.allow_origins {
            if pattern == "*" {
                return Some("*".to_owned());
            }
            allowed |= match pattern.strip_suffix('*') {
                Some(scheme @ ("https://" | "http://")) => lower.starts_with(scheme) && lower.len() > scheme.len(),
                _ => pattern.eq_ignore_ascii_case(origin),
            };
        }
        allowed.then(|| origin.to_owned())
    }

    fn method_allowed(&self, method: &str) -> bool {
        self.allow_methods.iter().any(|m| m == "*" || m.eq_ignore_ascii_case(method.trim()))
    }

    fn headers_allowed(&self, requested: &str) -> bool {
        self.allow_headers.iter().any(|h| h == "*")
            || requested
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .all(|h| self.allow_headers.iter().any(|allowed| allowed.eq_ignore_ascii_case(h)))
    }

    /// The gateway's answer to a preflight with these request headers.
    fn preflight(&self, headers: &HeaderMap) -> Response {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let mut response = StatusCode::NO_CONTENT.into_response();
        let out = response.headers_mut();
        let Some(origin) = self.allowed_origin(text("origin")) else { return response };
        if !self.method_allowed(text("access-control-request-method"))
            || !self.headers_allowed(text("access-control-request-headers"))
        {
            return response;
        }
        insert(out, "access-control-allow-origin", &origin);
        insert(out, "access-control-allow-methods", &self.allow_methods.join(","));
        if !self.allow_headers.is_empty() {
            insert(out, "access-control-allow-headers", &self.allow_headers.join(","));
        }
        if let Some(max_age) = self.max_age {
            insert(out, "access-control-max-age", &max_age.to_string());
        }
        if self.allow_credentials {
            insert(out, "access-control-allow-credentials", "true");
        }
        response
    }

    /// Replaces the `access-control-*` headers of a non-preflight answer to a request from
    /// `origin` with the configured ones (none when the origin is absent or not allowed).
    fn decorate(&self, origin: Option<&str>, headers: &mut HeaderMap) {
        let names: Vec<HeaderName> =
            headers.keys().filter(|name| name.as_str().starts_with("access-control-")).cloned().collect();
        for name in names {
            headers.remove(name);
        }
        let Some(origin) = origin.and_then(|o| self.allowed_origin(o)) else { return };
        insert(headers, "access-control-allow-origin", &origin);
        if !self.expose_headers.is_empty() {
            insert(headers, "access-control-expose-headers", &self.expose_headers.join(","));
        }
        if self.allow_credentials {
            insert(headers, "access-control-allow-credentials", "true");
        }
    }
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// The CORS configuration of the template's HTTP API: the first `AWS::Serverless::HttpApi`
/// with a `CorsConfiguration`, its parameters resolved (a `CommaDelimitedList` parameter
/// referenced with `!Ref` becomes the list of origins, so `--parameter` changes them).
///
/// # Errors
/// When the configuration does not resolve or is malformed ([`Cors::from_configuration`]).
pub fn cors_of(
    template: &crate::template::Template,
    resolver: &crate::template::Resolver<'_>,
) -> anyhow::Result<Option<Cors>> {
    for (logical_id, api) in template.of_type("AWS::Serverless::HttpApi") {
        let Some(config) = api["Properties"].get("CorsConfiguration") else { continue };
        let resolved = resolver.resolve(config)?;
        if let Some(cors) = Cors::from_configuration(&resolved).with_context(|| logical_id.clone())? {
            return Ok(Some(cors));
        }
    }
    Ok(None)
}

/// The payload format 2.0 event for one request.
fn event(
    route: &Route,
    parts: &axum::http::request::Parts,
    parameters: &BTreeMap<String, String>,
    body: &[u8],
    request_id: &str,
) -> Value {
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == "cookie" {
            cookies.extend(value.split(';').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()));
            continue;
        }
        match headers.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), Value::String(value));
            }
        }
    }
    let raw_query = parts.uri.query().unwrap_or_default().to_owned();
    let mut query: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        query.entry(percent_decode(key, true)).or_default().push(percent_decode(value, true));
    }
    let now = chrono::Utc::now();
    let host = headers.get("host").and_then(Value::as_str).unwrap_or("localhost").to_owned();
    let (body, is_base64) = match std::str::from_utf8(body) {
        _ if body.is_empty() => (Value::Null, false),
        Ok(text) => (Value::String(text.to_owned()), false),
        Err(_) => (Value::String(BASE64.encode(body)), true),
    };
    let mut event = json!({
        "version": "2.0",
        "routeKey": route.route_key(),
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": crate::template::ACCOUNT_ID,
            "apiId": "local",
            "domainName": host,
            "domainPrefix": host.split('.').next().unwrap_or("localhost"),
            "http": {
                "method": parts.method.as_str(),
                "path": parts.uri.path(),
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": parts.headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or_default(),
            },
            "requestId": request_id,
            "routeKey": route.route_key(),
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "isBase64Encoded": is_base64,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    if !query.is_empty() {
        let joined: Map<String, Value> = query.into_iter().map(|(k, v)| (k, Value::String(v.join(",")))).collect();
        event["queryStringParameters"] = Value::Object(joined);
    }
    if !parameters.is_empty() {
        event["pathParameters"] = json!(parameters);
    }
    if !body.is_null() {
        event["body"] = body;
    }
    event
}

/// Maps a payload format 2.0 response to HTTP. A payload that is not such a response is
/// returned as a JSON body with status 200, as API Gateway does.
fn into_response(payload: &[u8]) -> Response {
    let value: Value = match serde_json::from_slice(payload) {
        Ok(value) => value,
        Err(_) => return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    };
    let Some(status) = value.get("statusCode").and_then(Value::as_u64) else {
        return (StatusCode::OK, [("content-type", "application/json")], value.to_string()).into_response();
    };
    let status =
        StatusCode::from_u16(u16::try_from(status).unwrap_or(500)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    for (name, value) in value["headers"].as_object().into_iter().flatten() {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&crate::template::scalar_string(value)))
        {
            headers.append(name, value);
        }
    }
    for cookie in value["cookies"].as_array().into_iter().flatten() {
        if let Ok(value) = HeaderValue::from_str(cookie.as_str().unwrap_or_default()) {
            headers.append("set-cookie", value);
        }
    }
    let body = match value.get("body") {
        Some(Value::String(text)) if value["isBase64Encoded"] == json!(true) => BASE64.decode(text).unwrap_or_default(),
        Some(Value::String(text)) => text.clone().into_bytes(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => other.to_string().into_bytes(),
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(path_template: &str, method: &str, path: &str) -> Option<BTreeMap<String, String>> {
        let dummy = Arc::new(Function::new(
            crate::lambda::FunctionSpec {
                logical_id: "F".into(),
                name: "f".into(),
                arn: "arn".into(),
                executable: "/nonexistent".into(),
                environment: Default::default(),
                timeout: std::time::Duration::from_secs(1),
                memory_mb: 128,
                max_concurrency: 1,
            },
            Arc::new(|_, _| {}),
            false,
        ));
        Route { method: "GET".into(), path: path_template.into(), function: dummy, authorizer: None }
            .matches(method, path)
    }

    fn cors() -> Cors {
        Cors::from_configuration(&json!({
            "AllowOrigins": ["http://localhost:5173", "https://*"],
            "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["authorization", "content-type"],
            "ExposeHeaders": ["location"],
            "MaxAge": 600,
        }))
        .unwrap()
        .unwrap()
    }

    fn preflight(cors: &Cors, origin: &str, method: &str, headers: &str) -> HeaderMap {
        let mut request = HeaderMap::new();
        request.insert("origin", HeaderValue::from_str(origin).unwrap());
        request.insert("access-control-request-method", HeaderValue::from_str(method).unwrap());
        if !headers.is_empty() {
            request.insert("access-control-request-headers", HeaderValue::from_str(headers).unwrap());
        }
        let response = cors.preflight(&request);
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        response.headers().clone()
    }

    #[test]
    fn origins_match_exactly_by_scheme_or_all() {
        let cors = cors();
        assert_eq!(cors.allowed_origin("http://localhost:5173").as_deref(), Some("http://localhost:5173"));
        assert_eq!(cors.allowed_origin("HTTP://LOCALHOST:5173").as_deref(), Some("HTTP://LOCALHOST:5173"));
        assert_eq!(cors.allowed_origin("https://anything.example").as_deref(), Some("https://anything.example"));
        assert!(cors.allowed_origin("http://localhost:5174").is_none());
        assert!(cors.allowed_origin("http://evil.example").is_none());
        assert!(cors.allowed_origin("https://").is_none());
        let all = Cors { allow_origins: vec!["*".into()], ..Cors::default() };
        assert_eq!(all.allowed_origin("http://evil.example").as_deref(), Some("*"));
    }

    #[test]
    fn a_preflight_is_allowed_only_for_an_allowed_origin_method_and_headers() {
        let cors = cors();
        let ok = preflight(&cors, "http://localhost:5173", "POST", "Content-Type, Authorization");
        assert_eq!(ok["access-control-allow-origin"], "http://localhost:5173");
        assert_eq!(ok["access-control-allow-methods"], "GET,POST");
        assert_eq!(ok["access-control-allow-headers"], "authorization,content-type");
        assert_eq!(ok["access-control-max-age"], "600");
        assert!(ok.get("access-control-allow-credentials").is_none());
        for (origin, method, headers) in [
            ("http://evil.example", "POST", ""),
            ("http://localhost:5173", "DELETE", ""),
            ("http://localhost:5173", "POST", "x-secret"),
        ] {
            let refused = preflight(&cors, origin, method, headers);
            assert!(refused.keys().all(|k| !k.as_str().starts_with("access-control-")), "{origin} {method} {headers}");
        }
    }

    #[test]
    fn answers_get_the_configured_headers_instead_of_the_function_s() {
        let cors = cors();
        let mut headers = HeaderMap::new();
        headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        cors.decorate(Some("http://localhost:5173"), &mut headers);
        assert_eq!(headers["access-control-allow-origin"], "http://localhost:5173");
        assert_eq!(headers["access-control-expose-headers"], "location");
        assert_eq!(headers["content-type"], "application/json");
        let mut headers = HeaderMap::new();
        headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        cors.decorate(Some("http://evil.example"), &mut headers);
        assert!(headers.is_empty());
    }

    #[test]
    fn a_cors_configuration_is_read_or_refused() {
        assert_eq!(Cors::from_configuration(&Value::Null).unwrap(), None);
        assert!(Cors::from_configuration(&json!({"AllowOrigins": "http://a"})).is_err());
        assert!(Cors::from_configuration(&json!({"AllowOrigins": ["*"], "AllowCredentials": true})).is_err());
        assert!(Cors::from_configuration(&json!({"MaxAge": "soon"})).is_err());
    }

    #[test]
    fn request_ids_look_like_api_gateway_s() {
        let id = request_id();
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
        assert_ne!(id, request_id());
    }

    #[test]
    fn path_templates_match_segments() {
        let params = matches("/customers/{customerId}", "GET", "/customers/c%201").unwrap();
        assert_eq!(params["customerId"], "c 1");
        assert!(matches("/customers/{customerId}", "GET", "/customers").is_none());
        assert!(matches("/customers/{customerId}", "GET", "/customers/a/b").is_none());
        assert!(matches("/customers/{customerId}", "POST", "/customers/a").is_none());
        assert_eq!(matches("/files/{key+}", "GET", "/files/a/b").unwrap()["key"], "a/b");
        assert!(matches("/products", "GET", "/products").unwrap().is_empty());
    }
}
