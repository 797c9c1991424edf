//! Food delivery's calls on top of the generic black-box harness ([`stack_test`]): the
//! system tests drive a local stack of `systems/food-delivery` through [`TestApp`], which adds
//! the store's identity, customers' tokens and the system's routes to
//! [`stack_test::TestApp`].

pub mod openapi;

use std::collections::HashMap;
use std::ops::Deref;
use std::time::Duration;

use serde_json::{Value, json};
pub use stack_test::{Reply, event_of, new_subject};

/// The store's group, as the tokens' groups claim holds it.
pub const STORE: &str = "store";

/// The Food delivery system folder.
pub fn system() -> stack_test::System {
    stack_test::system(env!("CARGO_MANIFEST_DIR"))
}

/// A customer: an opaque `sub` and a token for it.
#[derive(Debug, Clone)]
pub struct Customer {
    /// The token's `sub`: the customer id.
    pub id: String,
    /// A bearer token for it (an hour).
    pub token: String,
}

/// A running Food delivery stack: the generic app (through `Deref`) and the store's token.
pub struct TestApp {
    app: stack_test::TestApp,
    /// A token of the store owner.
    pub store: String,
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

    /// The system's calls on a stack started otherwise (the benchmark's, say:
    /// [`stack_test::bench::start`]).
    pub fn with_app(app: stack_test::TestApp) -> Self {
        let store = app.token("store|owner", &[STORE], 3600);
        Self { app, store }
    }

    /// A new customer (a fresh opaque `sub`) with a token.
    pub fn customer(&self) -> Customer {
        let id = new_subject();
        let token = self.app.token(&id, &[], 3600);
        Customer { id, token }
    }

    /// `POST /menu` `{item, price}` as the store.
    pub async fn add_item(&self, item: &str, price: i64) -> Reply {
        self.app.send_as(Some(&self.store), "POST", "/menu", Some(&json!({ "item": item, "price": price }))).await
    }

    /// `PATCH /menu/{item}` with `body` as the store.
    pub async fn change_item(&self, item: &str, body: &Value) -> Reply {
        self.app.send_as(Some(&self.store), "PATCH", &format!("/menu/{item}"), Some(body)).await
    }

    /// `POST /orders` with `body` as `customer` (no idempotency key).
    pub async fn order(&self, customer: &Customer, body: &Value) -> Reply {
        self.app.send_as(Some(&customer.token), "POST", "/orders", Some(body)).await
    }

    /// The id of a new order of `quantity` x `item` by `customer` (asserting 201 `Paid`).
    pub async fn order_id(&self, customer: &Customer, item: &str, quantity: i64) -> String {
        let reply = self.order(customer, &json!({ "item": item, "quantity": quantity })).await;
        assert_eq!((reply.status, reply.body["status"].as_str()), (201, Some("Paid")), "{reply:?}");
        reply.body["orderId"].as_str().expect("an id").to_owned()
    }

    /// `POST /orders/{orderId}/cancel` as `customer`.
    pub async fn cancel(&self, customer: &Customer, order: &str) -> Reply {
        self.app.send_as(Some(&customer.token), "POST", &format!("/orders/{order}/cancel"), None).await
    }

    /// `PATCH /store/orders/{orderId}` `{status}` as the store.
    pub async fn move_to(&self, order: &str, status: &str) -> Reply {
        let body = json!({ "status": status });
        self.app.send_as(Some(&self.store), "PATCH", &format!("/store/orders/{order}"), Some(&body)).await
    }

    /// The store orders in `status` (first page of 500).
    pub async fn kitchen(&self, status: &str) -> Vec<Value> {
        let reply =
            self.app.send_as(Some(&self.store), "GET", &format!("/store/orders?status={status}&limit=500"), None).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.body["storeOrders"].as_array().cloned().unwrap_or_default()
    }

    /// Polls the kitchen queue `status` until it holds `order` (or `timeout` passes); its entry.
    pub async fn store_order(&self, status: &str, order: &str, timeout: Duration) -> Option<Value> {
        stack_test::app::poll_until(
            timeout,
            || async { self.kitchen(status).await.into_iter().find(|o| o["orderId"] == order) },
            Option::is_some,
        )
        .await
    }

    /// Polls `GET /orders/{orderId}` as `customer` until its status is `status`; the last reply.
    pub async fn order_in(&self, customer: &Customer, order: &str, status: &str, timeout: Duration) -> Reply {
        self.app
            .poll_as(Some(&customer.token), &format!("/orders/{order}"), timeout, |r| r.body["status"] == status)
            .await
    }

    /// The payment items of `PaymentTable` (DynamoDB JSON), by order: `(orderId, kind, status,
    /// amount)` each (`status` and `amount` empty for a tombstone).
    pub fn payments(&self) -> Vec<(String, String, String, String)> {
        self.app
            .items("PaymentTable")
            .iter()
            .filter(|i| i["sk"]["S"] == "PAYMENT")
            .map(|i| {
                let text = |name: &str, ty: &str| i[name][ty].as_str().unwrap_or_default().to_owned();
                (text("orderId", "S"), text("kind", "S"), text("status", "S"), text("amount", "N"))
            })
            .collect()
    }

    /// The payment entries of `order`.
    pub fn payments_of(&self, order: &str) -> Vec<(String, String, String, String)> {
        self.payments().into_iter().filter(|p| p.0 == order).collect()
    }

    /// The store's entries of `order` (store orders and tombstones), as DynamoDB JSON.
    pub fn store_entries_of(&self, order: &str) -> Vec<Value> {
        self.app
            .items("StoreTable")
            .into_iter()
            .filter(|i| i["sk"]["S"] == "STOREORDER" && i["orderId"]["S"] == order)
            .collect()
    }

    /// The notifications published so far (the notifications topic): `(customerId, eventType)` each.
    pub fn notifications(&self) -> Vec<(String, String)> {
        self.app
            .published("NotificationsTopic")
            .iter()
            .map(|m| {
                let attribute =
                    |name: &str| m.attributes.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
                (attribute("customerId"), attribute("eventType"))
            })
            .collect()
    }

    /// The notifications of `customer`, by event type.
    pub fn notifications_of(&self, customer: &Customer) -> Vec<String> {
        self.notifications().into_iter().filter(|(id, _)| *id == customer.id).map(|(_, kind)| kind).collect()
    }
}
