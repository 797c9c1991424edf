//! Who may do what: every route with no token, another customer's token and the wrong role,
//! over HTTP on the local stack (the template's JWT authorizer, verified as API Gateway does).
//! A refusal changes nothing.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use clothes_rental::{Customer, Reply, TestApp};

const PATIENCE: Duration = Duration::from_secs(10);

fn assert_status(reply: &Reply, status: u16, what: &str) {
    assert_eq!(reply.status, status, "{what}: {reply:?}");
}

struct World {
    app: TestApp,
    owner: Customer,
    order: String,
    ticket: String,
}

async fn world() -> World {
    let app = TestApp::start().await;
    let owner = app.customer();
    let order = app.order_id(&owner, "1001", 5).await;
    let ticket = app.ticket("Delivery", "Received", &order, PATIENCE).await.expect("a ticket")["deliveryId"]
        .as_str()
        .unwrap()
        .to_owned();
    World { app, owner, order, ticket }
}

impl World {
    fn routes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("POST", "/orders".to_owned()),
            ("GET", format!("/orders/{}", self.order)),
            ("POST", format!("/orders/{}/cancel", self.order)),
            ("POST", format!("/orders/{}/return", self.order)),
            ("GET", "/deliveries?status=Received&kind=Delivery".to_owned()),
            ("POST", format!("/deliveries/{}/ship", self.ticket)),
            ("POST", format!("/deliveries/{}/collect", self.ticket)),
            ("GET", format!("/mypages?customerId={}", self.owner.id.replace('|', "%7C"))),
        ]
    }

    async fn nothing_changed(&self) {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let order = self.app.send_as(Some(&self.owner.token), "GET", &format!("/orders/{}", self.order), None).await;
        assert_eq!(order.body["status"], "Ordered", "{order:?}");
        let ticket = self.app.ticket("Delivery", "Received", &self.order, Duration::ZERO).await;
        assert_eq!(ticket.unwrap()["deliveryId"], self.ticket.as_str());
        let orders = self.app.items("OrderTable").into_iter().filter(|i| i["kind"]["S"] == "Order").count();
        assert_eq!(orders, 1, "no order was placed by a refused request");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_refuses_a_missing_or_expired_token() {
    let world = world().await;
    let app = &world.app;
    let expired = app.token(&world.owner.id, &[], -60);
    for (method, path) in world.routes() {
        let none = app.send_with(None, method, &path, &[("idempotency-key", "k")], None).await;
        assert_status(&none, 401, &format!("{method} {path} without a token"));
        let old = app.send_with(Some(&expired), method, &path, &[("idempotency-key", "k")], None).await;
        assert_status(&old, 401, &format!("{method} {path} with an expired token"));
    }
    world.nothing_changed().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn another_customer_neither_sees_nor_changes_an_order_nor_reads_a_my_page() {
    let world = world().await;
    let app = &world.app;
    let other = app.customer();
    let order = &world.order;
    assert_status(&app.send_as(Some(&other.token), "GET", &format!("/orders/{order}"), None).await, 404, "get");
    assert_status(&app.cancel(&other, order).await, 404, "cancel");
    assert_status(&app.return_order(&other, order).await, 404, "return");
    let path = format!("/mypages?customerId={}", world.owner.id.replace('|', "%7C"));
    assert_status(&app.send_as(Some(&other.token), "GET", &path, None).await, 403, "my page");
    let own = app.send_as(Some(&other.token), "GET", "/mypages", None).await;
    assert_eq!((own.status, own.body["mypages"].as_array().map(Vec::len)), (200, Some(0)), "{own:?}");
    world.nothing_changed().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wrong_role_is_forbidden_on_every_route() {
    let world = world().await;
    let app = &world.app;
    let team = &app.team;
    // A customer on the delivery team's routes.
    let customer = &world.owner.token;
    for (method, path) in world.routes().into_iter().filter(|(_, p)| p.starts_with("/deliveries")) {
        assert_status(
            &app.send_as(Some(customer), method, &path, None).await,
            403,
            &format!("customer {method} {path}"),
        );
    }
    // Lookalike groups grant nothing.
    for groups in [["deliveryteam"], ["deliveryTeam "], ["delivery"]] {
        let lookalike = app.token(&world.owner.id, &groups, 3600);
        let reply = app.send_as(Some(&lookalike), "GET", "/deliveries", None).await;
        assert_status(&reply, 403, &format!("{groups:?}"));
    }
    // The delivery team on the customers' commands and my page.
    let team_routes = [
        ("POST", "/orders".to_owned()),
        ("POST", format!("/orders/{}/cancel", world.order)),
        ("POST", format!("/orders/{}/return", world.order)),
        ("GET", "/mypages".to_owned()),
    ];
    for (method, path) in team_routes {
        let body = serde_json::json!({ "productId": "1001", "qty": 1 });
        let reply = app.send_with(Some(team), method, &path, &[("idempotency-key", "team")], Some(&body)).await;
        assert_status(&reply, 403, &format!("team {method} {path}"));
    }
    // The team may read any order.
    let read = app.send_as(Some(team), "GET", &format!("/orders/{}", world.order), None).await;
    assert_status(&read, 200, "the team reads an order");
    world.nothing_changed().await;
}
