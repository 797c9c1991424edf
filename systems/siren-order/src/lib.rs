//! SirenOrder's calls on top of the generic black-box harness ([`stack_test`]): the
//! system tests and the benchmark drive a local stack of `systems/siren-order` through
//! [`TestApp`], which adds the staff identity, registered customers' tokens and the
//! shop's routes (customers, the menu, orders) to [`stack_test::TestApp`].

pub mod openapi;

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};
pub use stack_test::{Reply, event_of, new_subject};

/// The staff identity's subject (groups `owner` and `barista`): an opaque string, as
/// every `sub` is.
pub const STAFF: &str = "staff|00000000beef";

/// The SirenOrder system folder.
pub fn system() -> stack_test::System {
    stack_test::system(env!("CARGO_MANIFEST_DIR"))
}

/// A running SirenOrder stack: the generic app (through `Deref`), the staff's token and
/// the tokens of the customers registered through it.
pub struct TestApp {
    app: stack_test::TestApp,
    staff: String,
    customers: Mutex<HashMap<String, String>>,
}

impl Deref for TestApp {
    type Target = stack_test::TestApp;
    fn deref(&self) -> &Self::Target {
        &self.app
    }
}

impl TestApp {
    /// Starts a fresh stack with the template's default parameters.
    pub async fn start() -> Self {
        Self::with_parameters(HashMap::new()).await
    }

    /// Starts a fresh stack with parameter overrides.
    pub async fn with_parameters(parameters: HashMap<String, String>) -> Self {
        Self::with_app(stack_test::TestApp::with_parameters(&system(), parameters).await)
    }

    /// SirenOrder's calls on a stack started otherwise (the benchmark's, say:
    /// [`stack_test::bench::start`]).
    pub fn with_app(app: stack_test::TestApp) -> Self {
        let staff = app.token(STAFF, &["owner", "barista"], 3600);
        Self { app, staff, customers: Mutex::default() }
    }

    /// Sends `method path` as the staff, with an optional JSON body.
    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.app.send_as(Some(&self.staff), method, path, body).await
    }

    /// Sends a raw body with the given content type as the staff (malformed-input tests).
    pub async fn send_raw(&self, method: &str, path: &str, content_type: &str, body: impl Into<String>) -> Reply {
        self.app.send_text(Some(&self.staff), method, path, &[], Some((content_type, body.into()))).await
    }

    /// `POST /customers` as a new identity (a fresh, opaque `sub`); its token is kept for
    /// the customer helpers.
    pub async fn register_customer(&self, name: &str, email: &str) -> Reply {
        let sub = new_subject();
        let token = self.app.token(&sub, &[], 3600);
        let reply =
            self.app.send_as(Some(&token), "POST", "/customers", Some(&json!({ "name": name, "email": email }))).await;
        if reply.status == 201 {
            self.customers.lock().expect("lock").insert(sub, token);
        }
        reply
    }

    /// The token of customer `customer_id` (registered through this app), or the staff's.
    pub fn token_of(&self, customer_id: &str) -> String {
        self.customers.lock().expect("lock").get(customer_id).cloned().unwrap_or_else(|| self.staff.clone())
    }

    /// A registered customer's id (the token's `sub`).
    pub async fn customer(&self, email: &str) -> String {
        let reply = self.register_customer("Test Customer", email).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["customerId"].as_str().expect("an id").to_owned()
    }

    /// `POST /products` as the staff.
    pub async fn add_product(&self, name: &str, price: i64) -> Reply {
        self.send("POST", "/products", Some(&json!({ "name": name, "price": price }))).await
    }

    /// A product's id, added on sale at `price` won.
    pub async fn product(&self, name: &str, price: i64) -> String {
        let reply = self.add_product(name, price).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["productId"].as_str().expect("an id").to_owned()
    }

    /// `POST /orders` with an `Idempotency-Key`, as customer `customer_id`.
    pub async fn place_order(&self, key: &str, customer_id: &str, items: &[(&str, i64)]) -> Reply {
        let items: Vec<Value> = items.iter().map(|(id, q)| json!({ "productId": id, "quantity": q })).collect();
        let body = json!({ "customerId": customer_id, "items": items });
        self.place_order_as(Some(&self.token_of(customer_id)), key, body).await
    }

    /// `POST /orders` with an `Idempotency-Key` and any JSON body, as the customer the body
    /// names (or the staff).
    pub async fn place_order_raw(&self, key: &str, body: Value) -> Reply {
        let token = self.token_of(body["customerId"].as_str().unwrap_or_default());
        self.place_order_as(Some(&token), key, body).await
    }

    /// `POST /orders` with `token` (none: no `Authorization`), an `Idempotency-Key` and any
    /// JSON body (a JSON string is sent as its text, unquoted).
    pub async fn place_order_as(&self, token: Option<&str>, key: &str, body: Value) -> Reply {
        let text = match body {
            Value::String(text) => text,
            other => other.to_string(),
        };
        let headers = [("idempotency-key", key)];
        self.app.send_text(token, "POST", "/orders", &headers, Some(("application/json", text))).await
    }

    /// `POST /orders/{orderId}/cancel` as customer `customer_id`.
    pub async fn cancel_order(&self, order_id: &str, customer_id: &str) -> Reply {
        self.app.send_as(Some(&self.token_of(customer_id)), "POST", &format!("/orders/{order_id}/cancel"), None).await
    }

    /// Polls `GET path` as the staff until `condition` holds (or `timeout` passes);
    /// returns the last reply.
    pub async fn poll(&self, path: &str, timeout: Duration, condition: impl Fn(&Reply) -> bool) -> Reply {
        self.app.poll_as(Some(&self.staff), path, timeout, condition).await
    }
}
