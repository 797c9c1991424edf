//! A typed client for SirenOrder's HTTP API on a local stack, for the system tests and
//! benchmarks: one isolated, in-memory stack per [`TestApp`].

use std::collections::HashMap;
use std::time::{Duration, Instant};

use devstack::Stack;
use devstack::observe::PublishedMessage;
use serde_json::{Value, json};

/// A running local stack and an HTTP client for it.
///
/// Requests carry a token: [`TestApp::send`] the staff's (an identity in the groups
/// `owner` and `barista`), the customer helpers the token of the customer they act for.
pub struct TestApp {
    /// The stack (dropping the app stops it).
    pub stack: Stack,
    http: reqwest::Client,
    staff: String,
    customers: std::sync::Mutex<HashMap<String, String>>,
}

/// The staff identity's subject.
pub const STAFF: &str = "00000000-0000-4000-8000-00000000beef";

/// A response: status, content type and JSON body (`Value::Null` when not JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// `content-type` header.
    pub content_type: String,
    /// Parsed body.
    pub body: Value,
}

impl TestApp {
    /// Starts a fresh stack with the template's default parameters.
    pub async fn start() -> Self {
        Self::with_parameters(HashMap::new()).await
    }

    /// Starts a fresh stack with parameter overrides.
    pub async fn with_parameters(parameters: HashMap<String, String>) -> Self {
        let stack = devstack::testing::start_stack(parameters).await;
        let staff = stack.mint_token(STAFF, &["owner", "barista"], 3600).expect("the API has a JWT authorizer");
        Self { stack, http: reqwest::Client::new(), staff, customers: std::sync::Mutex::default() }
    }

    /// Sends `method path` as the staff, with an optional JSON body.
    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.send_as(Some(&self.staff), method, path, body).await
    }

    /// Sends `method path` with `token` (none: no `Authorization` header) and an optional
    /// JSON body (with `content-type: application/json`).
    pub async fn send_as(&self, token: Option<&str>, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("valid method");
        let mut request = self.http.request(method, format!("{}{path}", self.stack.api_url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        self.reply(request).await
    }

    /// Sends a raw body with the given content type (for malformed-input tests).
    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("valid method");
        let request = self
            .http
            .request(method, format!("{}{path}", self.stack.api_url))
            .bearer_auth(&self.staff)
            .header("content-type", content_type)
            .body(body);
        self.reply(request).await
    }

    async fn reply(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the HTTP API answers");
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let bytes = response.bytes().await.expect("a body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, content_type, body }
    }

    /// `POST /customers` as a new identity (a fresh `sub`); its token is kept for the
    /// customer helpers.
    pub async fn register_customer(&self, name: &str, email: &str) -> Reply {
        let sub = new_subject();
        let token = self.stack.mint_token(&sub, &[], 3600).expect("a token");
        let reply =
            self.send_as(Some(&token), "POST", "/customers", Some(&json!({ "name": name, "email": email }))).await;
        if reply.status == 201 {
            self.customers.lock().expect("lock").insert(sub, token);
        }
        reply
    }

    /// The token of customer `customer_id` (registered through this app), or the staff's.
    pub fn token_of(&self, customer_id: &str) -> String {
        self.customers.lock().expect("lock").get(customer_id).cloned().unwrap_or_else(|| self.staff.clone())
    }

    /// A token for `sub` in `groups`, valid for `ttl_seconds` (negative: expired).
    pub fn token(&self, sub: &str, groups: &[&str], ttl_seconds: i64) -> String {
        self.stack.mint_token(sub, groups, ttl_seconds).expect("a token")
    }

    /// `POST /orders/{orderId}/cancel` as customer `customer_id`.
    pub async fn cancel_order(&self, order_id: &str, customer_id: &str) -> Reply {
        self.send_as(Some(&self.token_of(customer_id)), "POST", &format!("/orders/{order_id}/cancel"), None).await
    }

    /// `POST /products`.
    pub async fn add_product(&self, name: &str, price: i64) -> Reply {
        self.send("POST", "/products", Some(&json!({ "name": name, "price": price }))).await
    }

    /// Messages published to topic `topic` (logical id).
    pub fn published(&self, topic: &str) -> Vec<PublishedMessage> {
        self.stack.published(topic)
    }

    /// Waits up to `timeout` for `condition` over the messages of `topic`; returns them.
    pub async fn wait_for_messages(
        &self,
        topic: &str,
        timeout: Duration,
        condition: impl Fn(&[PublishedMessage]) -> bool,
    ) -> Vec<PublishedMessage> {
        let started = Instant::now();
        loop {
            let messages = self.published(topic);
            if condition(&messages) || started.elapsed() > timeout {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A fresh subject (UUID) for a new identity.
pub fn new_subject() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The domain event carried by a published message.
pub fn event_of(message: &PublishedMessage) -> Value {
    serde_json::from_str(&message.message).unwrap_or(Value::Null)
}

impl TestApp {
    /// Every item of the table with logical id `table` (e.g. `CustomerTable`).
    pub fn items(&self, table: &str) -> Vec<Value> {
        let name = format!("test-{table}");
        let page = self
            .stack
            .emulators
            .ddb(devstack::emulators::Database::scan, json!({ "TableName": name }))
            .expect("the table can be scanned");
        page["Items"].as_array().cloned().unwrap_or_default()
    }
}

impl TestApp {
    /// `POST /orders` with an `Idempotency-Key`.
    pub async fn place_order(&self, key: &str, customer_id: &str, items: &[(&str, i64)]) -> Reply {
        let items: Vec<Value> = items.iter().map(|(id, q)| json!({ "productId": id, "quantity": q })).collect();
        let body = json!({ "customerId": customer_id, "items": items });
        let request = self
            .http
            .post(format!("{}/orders", self.stack.api_url))
            .bearer_auth(self.token_of(customer_id))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(body.to_string());
        self.reply(request).await
    }

    /// A registered customer's id.
    pub async fn customer(&self, email: &str) -> String {
        let reply = self.register_customer("Test Customer", email).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["customerId"].as_str().expect("an id").to_owned()
    }

    /// A product's id, added on sale at `price` won.
    pub async fn product(&self, name: &str, price: i64) -> String {
        let reply = self.add_product(name, price).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["productId"].as_str().expect("an id").to_owned()
    }

    /// Polls `GET path` until `condition` holds on the reply (or `timeout` passes); returns
    /// the last reply.
    pub async fn poll(&self, path: &str, timeout: Duration, condition: impl Fn(&Reply) -> bool) -> Reply {
        let started = Instant::now();
        loop {
            let reply = self.send("GET", path, None).await;
            if condition(&reply) || started.elapsed() > timeout {
                return reply;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Enables or disables the event source mappings of function `logical_id`.
    pub fn set_consumer_enabled(&self, logical_id: &str, enabled: bool) {
        assert!(self.stack.set_mappings_enabled(logical_id, enabled) > 0, "{logical_id} has no mapping");
    }

    /// How many times function `logical_id` was invoked so far.
    pub fn invocations(&self, logical_id: &str) -> usize {
        self.stack.reports().iter().filter(|r| r.function == logical_id).count()
    }
}

impl TestApp {
    /// `POST /orders` with an `Idempotency-Key` and any JSON body, as the customer the body
    /// names (or the staff).
    pub async fn place_order_raw(&self, key: &str, body: Value) -> Reply {
        let token = self.token_of(body["customerId"].as_str().unwrap_or_default());
        self.place_order_as(Some(&token), key, body).await
    }

    /// `POST /orders` with `token` (none: no `Authorization`), an `Idempotency-Key` and any
    /// JSON body.
    pub async fn place_order_as(&self, token: Option<&str>, key: &str, body: Value) -> Reply {
        let text = match body {
            Value::String(text) => text,
            other => other.to_string(),
        };
        let mut request = self
            .http
            .post(format!("{}/orders", self.stack.api_url))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(text);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.reply(request).await
    }
}
