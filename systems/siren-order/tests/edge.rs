//! The HTTP API's edge as a browser meets it: the template's `CorsConfiguration` (origins
//! from the `AllowedOrigins` parameter), applied by the local stack as API Gateway applies it.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use serde_json::json;
use siren_order::TestApp;

/// The template's default `AllowedOrigins`.
const WEB_APP: &str = "http://localhost:5173";

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_on_the_default_origin_may_place_an_order() {
    let app = TestApp::start().await;

    // The preflight of `POST /orders` with a token and an idempotency key: answered by the
    // gateway, before the JWT authorizer (a preflight never carries the token).
    let preflight = |origin: &'static str| {
        let app = &app;
        async move {
            app.send_with(
                None,
                "OPTIONS",
                "/orders",
                &[
                    ("origin", origin),
                    ("access-control-request-method", "POST"),
                    ("access-control-request-headers", "authorization,content-type,idempotency-key"),
                ],
                None,
            )
            .await
        }
    };
    let allowed = preflight(WEB_APP).await;
    assert_eq!(allowed.status, 204, "{allowed:?}");
    assert_eq!(allowed.headers["access-control-allow-origin"], WEB_APP);
    assert!(allowed.headers["access-control-allow-methods"].split(',').any(|m| m == "POST"), "{allowed:?}");
    let allowed_headers = &allowed.headers["access-control-allow-headers"];
    for wanted in ["authorization", "content-type", "idempotency-key"] {
        assert!(allowed_headers.split(',').any(|h| h == wanted), "{wanted} in {allowed_headers}");
    }

    let refused = preflight("https://elsewhere.example").await;
    assert_eq!(refused.status, 204);
    assert!(refused.headers.keys().all(|k| !k.starts_with("access-control-")), "{refused:?}");

    // The order itself, from the web app: the answer exposes `location` to the script.
    let customer = app.customer("web@example.com").await;
    let product = app.product("Web Americano", 4500).await;
    let token = app.token_of(&customer);
    let placed = app
        .send_with(
            Some(&token),
            "POST",
            "/orders",
            &[("origin", WEB_APP), ("idempotency-key", "web-1")],
            Some(&json!({ "customerId": customer, "items": [{ "productId": product, "quantity": 1 }] })),
        )
        .await;
    assert_eq!(placed.status, 201, "{placed:?}");
    assert_eq!(placed.headers["access-control-allow-origin"], WEB_APP);
    assert!(placed.headers["access-control-expose-headers"].split(',').any(|h| h == "location"), "{placed:?}");
}
