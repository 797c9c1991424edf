//! Clothes rental's calls on top of the generic black-box harness ([`stack_test`]): the
//! system tests drive a local stack of `systems/clothes-rental` through [`TestApp`], which adds
//! the delivery team's identity, customers' tokens and the system's routes to
//! [`stack_test::TestApp`].

pub mod openapi;

use std::collections::HashMap;
use std::ops::Deref;
use std::time::Duration;

use serde_json::{Value, json};
pub use stack_test::{Reply, event_of, new_subject};

/// The delivery team's group, as the tokens' groups claim holds it.
pub const DELIVERY_TEAM: &str = "deliveryTeam";

/// The Clothes rental system folder.
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

/// A running Clothes rental stack: the generic app (through `Deref`) and the delivery team's token.
pub struct TestApp {
    app: stack_test::TestApp,
    /// A token of a delivery team member.
    pub team: String,
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
        let team = app.token("team|0001", &[DELIVERY_TEAM], 3600);
        Self { app, team }
    }

    /// A new customer (a fresh opaque `sub`) with a token.
    pub fn customer(&self) -> Customer {
        let id = new_subject();
        let token = self.app.token(&id, &[], 3600);
        Customer { id, token }
    }

    /// `POST /orders` `{productId, qty}` as `customer`, with `Idempotency-Key: key`.
    pub async fn order(&self, customer: &Customer, key: &str, product: &str, qty: i64) -> Reply {
        let body = json!({ "productId": product, "qty": qty });
        self.app.send_with(Some(&customer.token), "POST", "/orders", &[("idempotency-key", key)], Some(&body)).await
    }

    /// The id of a new order of `qty` of `product` by `customer` (asserting 201).
    pub async fn order_id(&self, customer: &Customer, product: &str, qty: i64) -> String {
        let reply = self.order(customer, &uuid::Uuid::new_v4().to_string(), product, qty).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["orderId"].as_str().expect("an id").to_owned()
    }

    /// `POST /orders/{orderId}/cancel` as `customer`.
    pub async fn cancel(&self, customer: &Customer, order: &str) -> Reply {
        self.app.send_as(Some(&customer.token), "POST", &format!("/orders/{order}/cancel"), None).await
    }

    /// `POST /orders/{orderId}/return` as `customer`.
    pub async fn return_order(&self, customer: &Customer, order: &str) -> Reply {
        self.app.send_as(Some(&customer.token), "POST", &format!("/orders/{order}/return"), None).await
    }

    /// `POST /deliveries/{deliveryId}/{command}` (`ship` or `collect`) as the delivery team.
    pub async fn team_command(&self, delivery: &str, command: &str) -> Reply {
        self.app.send_as(Some(&self.team), "POST", &format!("/deliveries/{delivery}/{command}"), None).await
    }

    /// The tickets of the team's queue `kind`/`status` (first page of 500).
    pub async fn queue(&self, kind: &str, status: &str) -> Vec<Value> {
        let path = format!("/deliveries?kind={kind}&status={status}&limit=500");
        let reply = self.app.send_as(Some(&self.team), "GET", &path, None).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.body["deliveries"].as_array().cloned().unwrap_or_default()
    }

    /// Polls the queue `kind`/`status` until it holds a ticket of `order` (or `timeout`
    /// passes); that ticket.
    pub async fn ticket(&self, kind: &str, status: &str, order: &str, timeout: Duration) -> Option<Value> {
        stack_test::app::poll_until(
            timeout,
            || async { self.queue(kind, status).await.into_iter().find(|t| t["orderId"] == order) },
            Option::is_some,
        )
        .await
    }

    /// `customer`'s my-page row of `order`, polled until `condition` holds (or `timeout`).
    pub async fn mypage(
        &self,
        customer: &Customer,
        order: &str,
        timeout: Duration,
        condition: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let path = "/mypages?limit=100";
        let reply = self
            .app
            .poll_as(Some(&customer.token), path, timeout, |reply| {
                row_of(reply, order).is_some_and(|row| condition(&row))
            })
            .await;
        row_of(&reply, order)
    }

    /// Polls `GET /orders/{orderId}` as `customer` until its status is `status`; the last reply.
    pub async fn order_in(&self, customer: &Customer, order: &str, status: &str, timeout: Duration) -> Reply {
        self.app
            .poll_as(Some(&customer.token), &format!("/orders/{order}"), timeout, |r| r.body["status"] == status)
            .await
    }

    /// The mails published so far (the notifications topic): `(customerId, eventType)` each.
    pub fn mails(&self) -> Vec<(String, String)> {
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
}

/// The my-page row of `order` in a `GET /mypages` reply.
fn row_of(reply: &Reply, order: &str) -> Option<Value> {
    reply.body["mypages"].as_array()?.iter().find(|row| row["orderId"] == order).cloned()
}
