//! The HTTP API: routes from the template's `HttpApi` events, served on a local port as
//! API Gateway does, turning each request into a payload format 2.0 event and the
//! function's answer back into an HTTP response.

use std::collections::BTreeMap;
use std::sync::Arc;

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
}

impl Gateway {
    /// A gateway over `routes`.
    pub fn new(mut routes: Vec<Route>) -> Self {
        routes.sort_by_key(|r| std::cmp::Reverse(r.specificity()));
        Self { routes: Arc::new(routes) }
    }

    /// The axum router serving every route.
    pub fn router(self) -> axum::Router {
        axum::Router::new().fallback(handle).with_state(self)
    }
}

async fn handle(State(gateway): State<Gateway>, request: Request) -> Response {
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
                    let mut response = message(StatusCode::UNAUTHORIZED, "Unauthorized");
                    response.headers_mut().insert("www-authenticate", HeaderValue::from_static("Bearer"));
                    return response;
                }
            }
        }
    };
    let Ok(body) = to_bytes(body, MAX_PAYLOAD_BYTES).await else {
        return message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    };
    let mut event = event(route, &parts, &parameters, &body);
    if let Some(claims) = claims {
        event["requestContext"]["authorizer"] = json!({ "jwt": { "claims": claims, "scopes": null } });
    }
    let invocation = route.function.invoke(Bytes::from(event.to_string())).await;
    match invocation.outcome {
        Outcome::Response(payload) => into_response(&payload),
        Outcome::Error(error) if error["errorType"] == "Sandbox.Timedout" => {
            message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
        }
        Outcome::Error(_) => message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    }
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, [("content-type", "application/json")], json!({ "message": text }).to_string()).into_response()
}

/// The payload format 2.0 event for one request.
fn event(
    route: &Route,
    parts: &axum::http::request::Parts,
    parameters: &BTreeMap<String, String>,
    body: &[u8],
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
    let request_id = uuid::Uuid::new_v4().to_string();
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
