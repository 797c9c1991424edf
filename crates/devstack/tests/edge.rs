//! The HTTP API's edge, over real HTTP against `tests/fixture/template.yaml`: the gateway's
//! own answers carry what API Gateway HTTP APIs return (`{"message": ...}` bodies,
//! `www-authenticate`, `apigw-requestid`), and its `CorsConfiguration` is applied as API
//! Gateway applies it (preflights answered before any authorizer, `access-control-*`
//! headers only for allowed origins, origins from a template parameter).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

mod common;

use common::*;

use devstack::Stack;
use reqwest::Method;
use serde_json::Value;

/// Sends `method path` with `headers` and an optional body; returns the status, the headers
/// (names lower-case) and the body as text.
async fn send(
    stack: &Stack,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", stack.api_url));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

fn cors_headers(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers.keys().map(|k| k.as_str().to_owned()).filter(|k| k.starts_with("access-control-")).collect()
}

/// A gateway answer: the status, `content-type: application/json`, exactly `body`, and an
/// `apigw-requestid` in API Gateway's form.
fn assert_gateway_answer(answer: &(u16, reqwest::header::HeaderMap, String), status: u16, body: &str) {
    let (actual, headers, text) = answer;
    assert_eq!(*actual, status, "{text}");
    assert_eq!(text, body);
    assert_eq!(header(headers, "content-type"), Some("application/json"));
    let id = header(headers, "apigw-requestid").expect("an apigw-requestid");
    assert_eq!(id.len(), 16, "{id}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gateway_s_own_answers_are_api_gateway_s() {
    let stack = start(&[]).await;

    let missing = send(&stack, Method::GET, "/nowhere", &[], None).await;
    assert_gateway_answer(&missing, 404, r#"{"message":"Not Found"}"#);
    // A method without a route is no route either.
    let wrong_method = send(&stack, Method::DELETE, "/things/abc", &[], None).await;
    assert_gateway_answer(&wrong_method, 404, r#"{"message":"Not Found"}"#);

    let no_token = send(&stack, Method::GET, "/private", &[], None).await;
    assert_gateway_answer(&no_token, 401, r#"{"message":"Unauthorized"}"#);
    assert_eq!(header(&no_token.1, "www-authenticate"), Some("Bearer"));

    let forged = send(&stack, Method::GET, "/private", &[("authorization", "Bearer not.a.token")], None).await;
    assert_gateway_answer(&forged, 401, r#"{"message":"Unauthorized"}"#);
    let challenge = header(&forged.1, "www-authenticate").unwrap();
    assert!(challenge.starts_with(r#"Bearer scope="" error="invalid_token" error_description=""#), "{challenge}");

    // 10 MB is the payload limit; one byte more is refused before the function runs.
    let big = send(&stack, Method::POST, "/files/big.bin", &[], Some(vec![b'x'; 10 * 1024 * 1024 + 1])).await;
    assert_gateway_answer(&big, 413, r#"{"message":"Request Entity Too Large"}"#);
    assert!(stack.reports().is_empty(), "no function ran: {:?}", stack.reports());

    // A function's answer carries the id the function saw as requestContext.requestId.
    let (status, headers, text) = send(&stack, Method::GET, "/things/abc", &[], None).await;
    assert_eq!(status, 200);
    let event: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(Some(event["requestContext"]["requestId"].as_str().unwrap()), header(&headers, "apigw-requestid"));
    let (_, again, _) = send(&stack, Method::GET, "/things/abc", &[], None).await;
    assert_ne!(header(&again, "apigw-requestid"), header(&headers, "apigw-requestid"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preflight_from_an_allowed_origin_is_answered_by_the_gateway_without_a_token() {
    let stack = start(&[]).await;
    // GET /private needs a token; the preflight has none and still succeeds. No route is
    // OPTIONS, and no function runs.
    for path in ["/private", "/things/abc", "/files/a/b"] {
        let (status, headers, text) = send(
            &stack,
            Method::OPTIONS,
            path,
            &[
                ("origin", "http://localhost:5173"),
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", "Authorization, Content-Type"),
            ],
            None,
        )
        .await;
        assert_eq!(status, 204, "{path}: {text}");
        assert_eq!(text, "");
        assert_eq!(header(&headers, "access-control-allow-origin"), Some("http://localhost:5173"));
        assert_eq!(header(&headers, "access-control-allow-methods"), Some("GET,POST"));
        assert_eq!(header(&headers, "access-control-allow-headers"), Some("authorization,content-type"));
        assert_eq!(header(&headers, "access-control-max-age"), Some("300"));
        assert_eq!(header(&headers, "access-control-allow-credentials"), None);
        assert!(header(&headers, "apigw-requestid").is_some());
    }
    assert!(stack.reports().is_empty(), "no function ran: {:?}", stack.reports());

    // An OPTIONS request that is not a preflight (no Access-Control-Request-Method) is
    // routed like any other: there is no OPTIONS route.
    let plain = send(&stack, Method::OPTIONS, "/things/abc", &[("origin", "http://localhost:5173")], None).await;
    assert_eq!(plain.0, 404);
    assert_eq!(plain.2, r#"{"message":"Not Found"}"#);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preflight_from_another_origin_or_for_a_method_not_allowed_gets_no_cors_headers() {
    let stack = start(&[]).await;
    for (origin, method, request_headers) in [
        ("http://evil.example", "GET", "authorization"),
        ("http://localhost:5174", "GET", ""),
        ("https://app.example.evil", "GET", ""),
        ("http://localhost:5173", "DELETE", ""),
        ("http://localhost:5173", "GET", "x-not-allowed"),
    ] {
        let mut headers = vec![("origin", origin), ("access-control-request-method", method)];
        if !request_headers.is_empty() {
            headers.push(("access-control-request-headers", request_headers));
        }
        let (status, answer, _) = send(&stack, Method::OPTIONS, "/things/abc", &headers, None).await;
        assert_eq!(status, 204, "{origin} {method}");
        assert!(cors_headers(&answer).is_empty(), "{origin} {method} {request_headers}: {answer:?}");
    }
    assert!(stack.reports().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_to_an_allowed_origin_carry_the_cors_headers_and_others_none() {
    let stack = start(&[]).await;

    let (status, headers, _) =
        send(&stack, Method::GET, "/things/abc", &[("origin", "https://app.example")], None).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("https://app.example"));
    assert_eq!(header(&headers, "access-control-expose-headers"), Some("location"));
    assert_eq!(header(&headers, "access-control-allow-methods"), None, "only a preflight lists methods");

    // The gateway's own refusals carry them too, so a browser script can read the status.
    let (status, headers, _) = send(&stack, Method::GET, "/private", &[("origin", "https://app.example")], None).await;
    assert_eq!(status, 401);
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("https://app.example"));

    for origin in [None, Some("http://evil.example")] {
        let request: Vec<(&str, &str)> = origin.map(|o| ("origin", o)).into_iter().collect();
        let (status, headers, _) = send(&stack, Method::GET, "/things/abc", &request, None).await;
        assert_eq!(status, 200);
        assert!(cors_headers(&headers).is_empty(), "{origin:?}: {headers:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_allowed_origins_are_the_template_s_parameter() {
    let stack = start(&[("AllowedOrigins", "https://one.example,https://two.example")]).await;
    let preflight = |origin: &'static str| {
        let stack = &stack;
        async move {
            let (status, headers, _) = send(
                stack,
                Method::OPTIONS,
                "/things/abc",
                &[("origin", origin), ("access-control-request-method", "POST")],
                None,
            )
            .await;
            assert_eq!(status, 204);
            header(&headers, "access-control-allow-origin").map(str::to_owned)
        }
    };
    assert_eq!(preflight("https://two.example").await.as_deref(), Some("https://two.example"));
    assert_eq!(preflight("http://localhost:5173").await, None, "the default is replaced");
}
