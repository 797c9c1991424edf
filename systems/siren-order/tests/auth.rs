//! Who may do what: every route with no token, an expired or forged token, another
//! customer's token and the wrong role, over HTTP on the local stack (the JWT authorizer
//! of the template, verified as API Gateway does).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use serde_json::{Value, json};
use siren_order::{Reply, TestApp, new_subject};

fn assert_status(reply: &Reply, status: u16, what: &str) {
    assert_eq!(reply.status, status, "{what}: {reply:?}");
}

struct World {
    app: TestApp,
    customer: String,
    product: String,
    order: String,
    delivery: String,
    today: String,
}

async fn world() -> World {
    let app = TestApp::start().await;
    let customer = app.customer("kim@example.com").await;
    let product = app.product("Americano", 4500).await;
    let placed = app.place_order("k", &customer, &[(&product, 1)]).await;
    let order = placed.body["orderId"].as_str().unwrap().to_owned();
    let waiting =
        app.poll(&format!("/orders/{order}"), Duration::from_secs(10), |r| r.body["status"] == "Waiting").await;
    let delivery = waiting.body["deliveryId"].as_str().expect("a ticket").to_owned();
    let today = platform::zone::Zone::named("Asia/Seoul").unwrap().local_date(chrono::Utc::now()).to_string();
    World { app, customer, product, order, delivery, today }
}

impl World {
    fn protected_routes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("POST", "/customers".to_owned()),
            ("GET", format!("/customers/{}", self.customer)),
            ("POST", "/products".to_owned()),
            ("PATCH", format!("/products/{}", self.product)),
            ("POST", "/orders".to_owned()),
            ("GET", format!("/orders/{}", self.order)),
            ("GET", format!("/orders?customerId={}", self.customer)),
            ("POST", format!("/orders/{}/cancel", self.order)),
            ("GET", "/deliveries?status=Waiting".to_owned()),
            ("PATCH", format!("/deliveries/{}", self.delivery)),
            ("GET", format!("/reports/sales?date={}", self.today)),
            ("GET", format!("/reports/orders?date={}", self.today)),
        ]
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_protected_route_refuses_a_missing_expired_or_forged_token() {
    let world = world().await;
    let app = &world.app;
    let expired = app.token(&world.customer, &["owner", "barista"], -300);
    let forged = format!("{}x", app.token(&world.customer, &["owner", "barista"], 300));
    for (method, path) in world.protected_routes() {
        let body = json!({ "status": "Completed" });
        assert_status(
            &app.send_as(None, method, &path, Some(&body)).await,
            401,
            &format!("{method} {path} without a token"),
        );
        assert_status(
            &app.send_as(Some(&expired), method, &path, Some(&body)).await,
            401,
            &format!("{method} {path} expired"),
        );
        assert_status(
            &app.send_as(Some(&forged), method, &path, Some(&body)).await,
            401,
            &format!("{method} {path} forged"),
        );
        assert_status(
            &app.send_as(Some("not-a-jwt"), method, &path, Some(&body)).await,
            401,
            &format!("{method} {path} garbage"),
        );
    }
    // The menu is public.
    assert_status(&app.send_as(None, "GET", "/products", None).await, 200, "the menu");
    assert_status(&app.send_as(None, "GET", &format!("/products/{}", world.product), None).await, 200, "a product");
    // Nothing moved.
    assert_eq!(app.send("GET", &format!("/orders/{}", world.order), None).await.body["status"], "Waiting");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_customer_sees_nothing_of_mine_and_changes_nothing() {
    let world = world().await;
    let app = &world.app;
    let intruder = app.customer("lee@example.com").await;
    let token = app.token_of(&intruder);
    let as_intruder = |method: &'static str, path: String| {
        let token = token.clone();
        async move { app.send_as(Some(&token), method, &path, None).await }
    };
    assert_status(&as_intruder("GET", format!("/customers/{}", world.customer)).await, 404, "another's profile");
    assert_status(&as_intruder("GET", format!("/orders/{}", world.order)).await, 404, "another's order");
    assert_status(&as_intruder("GET", format!("/orders?customerId={}", world.customer)).await, 404, "another's orders");
    assert_status(
        &as_intruder("POST", format!("/orders/{}/cancel", world.order)).await,
        404,
        "cancelling another's order",
    );
    let for_other = app
        .place_order_as(
            Some(&token),
            "theirs",
            json!({ "customerId": world.customer, "items": [{ "productId": world.product, "quantity": 1 }] }),
        )
        .await;
    assert_status(&for_other, 403, "ordering in another's name");
    // My own view is unchanged; the intruder has no orders.
    let mine =
        app.send_as(Some(&app.token_of(&world.customer)), "GET", &format!("/orders/{}", world.order), None).await;
    assert_eq!(mine.body["status"], "Waiting");
    let theirs = app.send_as(Some(&token), "GET", "/orders", None).await;
    assert_eq!(theirs.body["orders"], json!([]));
    // The routes that take an id and need a role: the customer has none.
    assert_status(
        &app.send_as(
            Some(&token),
            "PATCH",
            &format!("/deliveries/{}", world.delivery),
            Some(&json!({ "status": "Preparing" })),
        )
        .await,
        403,
        "moving another's ticket",
    );
    assert_status(
        &app.send_as(
            Some(&token),
            "PATCH",
            &format!("/products/{}", world.product),
            Some(&json!({ "status": "SoldOut", "price": 1 })),
        )
        .await,
        403,
        "changing a product",
    );
    // Another's order and one that does not exist answer alike: no way to probe ids.
    let missing = format!("/orders/{}", uuid::Uuid::new_v4());
    assert_status(&as_intruder("GET", missing.clone()).await, 404, "an order that does not exist");
    assert_status(&as_intruder("POST", format!("{missing}/cancel")).await, 404, "cancelling one that does not exist");
    assert_status(
        &as_intruder("GET", format!("/customers/{}", new_subject())).await,
        404,
        "a customer that does not exist",
    );
    // Nothing moved: the ticket still waits, the product is unchanged.
    assert_unchanged(&world).await;
    // The customer sees their own profile and orders.
    let own =
        app.send_as(Some(&app.token_of(&world.customer)), "GET", &format!("/customers/{}", world.customer), None).await;
    assert_status(&own, 200, "own profile");
}

/// The world's order and ticket still wait and its product is on sale at its price.
async fn assert_unchanged(world: &World) {
    let app = &world.app;
    assert_eq!(app.send("GET", &format!("/orders/{}", world.order), None).await.body["status"], "Waiting");
    let waiting = app.send("GET", "/deliveries?status=Waiting", None).await;
    assert!(waiting.body.to_string().contains(&world.delivery), "the ticket still waits: {waiting:?}");
    let product = app.send_as(None, "GET", &format!("/products/{}", world.product), None).await;
    assert_eq!((&product.body["status"], &product.body["price"]), (&json!("OnSale"), &json!(4500)), "{product:?}");
}

/// A fresh identity's token from `POST /_devstack/tokens` with `request`'s fields (`groups`
/// as any JSON, `claims` overriding the defaults, `kid`).
async fn minted(app: &TestApp, mut request: Value) -> String {
    request["sub"] = json!(new_subject());
    app.mint_token(&request).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_that_only_looks_like_a_role_grants_nothing() {
    let world = world().await;
    let app = &world.app;
    let menu = json!({ "name": "Mocha", "price": 5500 });
    let owner_routes = [
        ("POST", "/products".to_owned(), Some(menu.clone())),
        ("PATCH", format!("/products/{}", world.product), Some(json!({ "status": "SoldOut" }))),
        ("GET", format!("/reports/sales?date={}", world.today), None),
        ("GET", format!("/reports/orders?date={}", world.today), None),
    ];
    let barista_routes = [
        ("GET", "/deliveries".to_owned(), None),
        ("GET", "/deliveries?status=Waiting".to_owned(), None),
        ("PATCH", format!("/deliveries/{}", world.delivery), Some(json!({ "status": "Preparing" }))),
    ];
    let lookalikes = [
        json!({ "groups": ["barista,owner"] }),
        json!({ "groups": ["owner,barista"] }),
        json!({ "groups": ["not owner", "not barista"] }),
        json!({ "groups": ["owner barista"] }),
        json!({ "groups": "[owner barista]" }),
        json!({ "groups": "[owner]" }),
        json!({ "groups": "[barista]" }),
        json!({ "groups": "barista,owner" }),
        json!({ "groups": "owner barista" }),
        json!({ "groups": ["[owner]", "[barista]"] }),
        json!({ "groups": ["owner ", " barista"] }),
        json!({ "groups": ["Owner", "BARISTA"] }),
        json!({ "groups": [["owner"], ["barista"]] }),
        json!({ "groups": ["owner", "barista", 1] }),
        json!({ "groups": { "owner": true, "barista": true } }),
        json!({ "groups": [], "claims": { "cognito:groups": ["barista,owner"] } }),
        json!({ "groups": [], "claims": { "cognito:groups": "[owner barista]" } }),
        json!({ "groups": [], "claims": { "cognito:groups": ["not owner", "not barista"] } }),
    ];
    for request in &lookalikes {
        let token = minted(app, request.clone()).await;
        for (method, path, body) in owner_routes.iter().chain(&barista_routes) {
            let reply = app.send_as(Some(&token), method, path, body.as_ref()).await;
            assert_status(&reply, 403, &format!("{method} {path} with {request}"));
        }
        // Nor does it see a stranger's order as staff would.
        let order = app.send_as(Some(&token), "GET", &format!("/orders/{}", world.order), None).await;
        assert_status(&order, 404, &format!("another's order with {request}"));
    }
    assert_unchanged(&world).await;

    // The same tokens with the real names do pass, through either claim.
    let owner = minted(app, json!({ "groups": ["owner"] })).await;
    let barista = minted(app, json!({ "groups": [], "claims": { "cognito:groups": ["barista"] } })).await;
    let sales = format!("/reports/sales?date={}", world.today);
    assert_status(&app.send_as(Some(&owner), "GET", &sales, None).await, 200, "the owner reads the sales");
    assert_status(&app.send_as(Some(&barista), "GET", "/deliveries", None).await, 200, "the barista reads the counter");
    let with_comma = minted(app, json!({ "groups": ["barista,owner", "owner"] })).await;
    assert_status(&app.send_as(Some(&with_comma), "GET", &sales, None).await, 200, "owner beside an odd name");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_protected_route_refuses_what_api_gateway_refuses() {
    let world = world().await;
    let app = &world.app;
    let now = chrono::Utc::now().timestamp();
    let roles = json!(["owner", "barista"]);
    let refused = [
        json!({ "claims": { "nbf": now + 60 } }),
        json!({ "claims": { "iat": now + 60 } }),
        json!({ "expiresInSeconds": -1 }),
        json!({ "claims": { "exp": now - 1 } }),
        json!({ "claims": { "exp": null } }),
        json!({ "claims": { "aud": "another-client" } }),
        json!({ "claims": { "aud": null } }),
        json!({ "claims": { "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_another" } }),
        json!({ "claims": { "iss": "https://evil.example" } }),
        json!({ "claims": { "token_use": "access" } }),
        json!({ "claims": { "token_use": "refresh" } }),
        json!({ "claims": { "token_use": null } }),
        json!({ "kid": null }),
        json!({ "kid": "another-key" }),
    ];
    let accepted = minted(app, json!({ "groups": roles, "claims": { "nbf": now - 1 } })).await;
    for (method, path) in world.protected_routes() {
        let body = json!({ "status": "Completed" });
        for request in &refused {
            let mut request = request.clone();
            request["groups"] = roles.clone();
            let token = minted(app, request.clone()).await;
            let reply = app.send_as(Some(&token), method, &path, Some(&body)).await;
            assert_status(&reply, 401, &format!("{method} {path} with {request}"));
        }
        // Its neighbour passes the authorizer (on the routes that change nothing).
        if method == "GET" {
            let reply = app.send_as(Some(&accepted), method, &path, None).await;
            assert_status(&reply, 200, &format!("{method} {path} with a valid token"));
        }
    }
    assert_unchanged(&world).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_decide_who_keeps_the_menu_runs_the_counter_and_reads_reports() {
    let world = world().await;
    let app = &world.app;
    let customer = app.token_of(&world.customer);
    let barista = app.token(&new_subject(), &["barista"], 300);
    let owner = app.token(&new_subject(), &["owner"], 300);
    let menu = json!({ "name": "Mocha", "price": 5500 });
    let sold_out = json!({ "status": "SoldOut" });
    let product = format!("/products/{}", world.product);
    let sales = format!("/reports/sales?date={}", world.today);
    let delivery = format!("/deliveries/{}", world.delivery);
    let preparing = json!({ "status": "Preparing" });

    for (who, token) in [("a customer", &customer), ("a barista", &barista)] {
        assert_status(
            &app.send_as(Some(token), "POST", "/products", Some(&menu)).await,
            403,
            &format!("{who} adds a product"),
        );
        assert_status(
            &app.send_as(Some(token), "PATCH", &product, Some(&sold_out)).await,
            403,
            &format!("{who} changes a product"),
        );
        assert_status(&app.send_as(Some(token), "GET", &sales, None).await, 403, &format!("{who} reads the sales"));
    }
    for (who, token) in [("a customer", &customer), ("an owner", &owner)] {
        assert_status(
            &app.send_as(Some(token), "GET", "/deliveries", None).await,
            403,
            &format!("{who} reads the counter"),
        );
        assert_status(
            &app.send_as(Some(token), "PATCH", &delivery, Some(&preparing)).await,
            403,
            &format!("{who} moves a ticket"),
        );
    }
    assert_eq!(app.send_as(None, "GET", &product, None).await.body["status"], "OnSale", "the menu is unchanged");

    assert_status(&app.send_as(Some(&owner), "POST", "/products", Some(&menu)).await, 201, "the owner adds a product");
    assert_status(&app.send_as(Some(&owner), "GET", &sales, None).await, 200, "the owner reads the sales");
    assert_status(&app.send_as(Some(&barista), "GET", "/deliveries", None).await, 200, "the barista reads the counter");
    assert_status(
        &app.send_as(Some(&barista), "PATCH", &delivery, Some(&preparing)).await,
        200,
        "the barista moves a ticket",
    );
    assert_status(
        &app.send_as(Some(&barista), "GET", &format!("/orders/{}", world.order), None).await,
        200,
        "the barista sees an order",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_registers_one_customer_under_its_subject() {
    let app = TestApp::start().await;
    let sub = new_subject();
    let token = app.token(&sub, &[], 300);
    let first = app
        .send_as(Some(&token), "POST", "/customers", Some(&json!({ "name": "Kim", "email": "kim@example.com" })))
        .await;
    assert_status(&first, 201, "first registration");
    assert_eq!(first.body["customerId"], sub.as_str());
    let again = app
        .send_as(Some(&token), "POST", "/customers", Some(&json!({ "name": "Kim", "email": "kim2@example.com" })))
        .await;
    assert_status(&again, 409, "a second registration of the same sub");
    // A `sub` is opaque: any issuer's form registers, as long as it is a sane identifier.
    for (sub, email) in [("auth0|abc123", "a@example.com"), ("108234567890123456789", "g@example.com")] {
        let token = app.token(sub, &[], 300);
        let reply =
            app.send_as(Some(&token), "POST", "/customers", Some(&json!({ "name": "X", "email": email }))).await;
        assert_status(&reply, 201, sub);
        assert_eq!(reply.body["customerId"], sub);
    }
    let too_long = app.token(&"x".repeat(256), &[], 300);
    let odd = app
        .send_as(Some(&too_long), "POST", "/customers", Some(&json!({ "name": "X", "email": "x@example.com" })))
        .await;
    assert_status(&odd, 403, "a subject that is not a customer id");
}
