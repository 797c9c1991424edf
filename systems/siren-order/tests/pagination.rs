//! Every list route pages with `limit` and `nextToken` (`platform::page`), over HTTP on
//! the local stack: a customer's 150 orders and the counter's queue of 150 tickets are
//! read in full, page by page, with no duplicate and no gap, in their order; the last page
//! says `"nextToken": null`; a bad `limit`, a garbage `nextToken` and a token of another
//! list are 400s naming the parameter.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use siren_order::{Reply, TestApp};

/// Orders placed (and so tickets waiting): more than the largest default page (100).
const MANY: usize = 150;
/// How long the asynchronous side (tickets, report views) may take to catch up.
// A deadline, not a measured duration: the wait ends as soon as every ticket is listed. 150
// orders pass four stream/queue hops each; on a loaded 2-core machine (a CI run beside a
// release build) 40 s saw 141 of 150 listed, so the bound is generous.
const CATCH_UP: Duration = Duration::from_secs(180);

/// Every page of `path` (which holds its other query parameters) read as `token` (none:
/// the staff's), with `limit` when given: the items under `key` and the size of each page.
/// Fails on a non-200 answer, a page without `nextToken`, or more than 100 pages.
async fn read_all(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    key: &str,
    limit: Option<u32>,
) -> (Vec<Value>, Vec<usize>) {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut sizes = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..100 {
        let mut url = path.to_owned();
        let mut params = Vec::new();
        if let Some(limit) = limit {
            params.push(format!("limit={limit}"));
        }
        if let Some(token) = &next {
            params.push(format!("nextToken={token}"));
        }
        if !params.is_empty() {
            url.push(separator);
            url.push_str(&params.join("&"));
        }
        let reply = get(app, token, &url).await;
        assert_eq!(reply.status, 200, "{url}: {reply:?}");
        let page = reply.body[key].as_array().unwrap_or_else(|| panic!("{key} in {reply:?}"));
        sizes.push(page.len());
        items.extend(page.iter().cloned());
        match &reply.body["nextToken"] {
            Value::Null => return (items, sizes),
            Value::String(token) => next = Some(token.clone()),
            other => panic!("nextToken must be a string or null, not {other}"),
        }
    }
    panic!("{path} did not end within 100 pages");
}

async fn get(app: &TestApp, token: Option<&str>, path: &str) -> Reply {
    match token {
        Some(token) => app.send_as(Some(token), "GET", path, None).await,
        None => app.send("GET", path, None).await,
    }
}

/// The values of `field` of `items`, checking that none repeats.
fn distinct(items: &[Value], field: &str) -> Vec<String> {
    let values: Vec<String> = items.iter().map(|item| item[field].as_str().unwrap().to_owned()).collect();
    let unique: BTreeSet<&String> = values.iter().collect();
    assert_eq!(unique.len(), values.len(), "a {field} appears twice");
    values
}

/// The 400 of `path`, checked to name `field`.
async fn refused(app: &TestApp, token: Option<&str>, path: &str, field: &str) {
    let reply = get(app, token, path).await;
    assert_eq!(reply.status, 400, "{path}: {reply:?}");
    assert!(reply.content_type.starts_with("application/problem+json"), "{path}: {reply:?}");
    assert_eq!(reply.body["errors"][0]["field"], field, "{path}: {reply:?}");
}

/// Reads every page of `path` at the largest limit until it holds `count` items.
async fn until_listed(app: &TestApp, path: &str, key: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + CATCH_UP;
    loop {
        let (items, _) = read_all(app, None, path, key, Some(500)).await;
        if items.len() >= count || Instant::now() > deadline {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customers_orders_the_queue_and_the_days_report_are_read_in_full_page_by_page() {
    let app = Arc::new(TestApp::start().await);
    let minji = app.customer("minji@example.com").await;
    let other = app.customer("other@example.com").await;
    let americano = app.product("Americano", 4500).await;

    // 150 orders, placed 12 at a time through the API.
    let mut placed = BTreeSet::new();
    let mut pending = tokio::task::JoinSet::new();
    for n in 0..MANY {
        if pending.len() >= 12 {
            placed.insert(pending.join_next().await.unwrap().unwrap());
        }
        let (app, minji, americano) = (Arc::clone(&app), minji.clone(), americano.clone());
        pending.spawn(async move {
            let reply = app.place_order(&format!("page-{n}"), &minji, &[(&americano, 1)]).await;
            assert_eq!(reply.status, 201, "{reply:?}");
            reply.body["orderId"].as_str().unwrap().to_owned()
        });
    }
    while let Some(id) = pending.join_next().await {
        placed.insert(id.unwrap());
    }
    assert_eq!(placed.len(), MANY);

    // The customer's orders: three pages of the default 50, then two of 100; newest first.
    let token = app.token_of(&minji);
    let (orders, sizes) = read_all(&app, Some(&token), "/orders", "orders", None).await;
    assert_eq!(sizes, [50, 50, 50]);
    assert_eq!(distinct(&orders, "orderId").into_iter().collect::<BTreeSet<_>>(), placed, "no gap");
    let placed_at: Vec<&str> = orders.iter().map(|o| o["placedAt"].as_str().unwrap()).collect();
    assert!(placed_at.windows(2).all(|w| w[0] >= w[1]), "newest first across pages");
    let (_, sizes) = read_all(&app, Some(&token), "/orders", "orders", Some(100)).await;
    assert_eq!(sizes, [100, 50]);
    // The owner pages through them too, with the same tokens.
    let (as_owner, _) = read_all(&app, None, &format!("/orders?customerId={minji}"), "orders", Some(70)).await;
    assert_eq!(distinct(&as_owner, "orderId"), distinct(&orders, "orderId"), "the same list, in the same order");

    // The counter's queue: all 150 tickets, oldest first; two pages of the default 100.
    let listed = until_listed(&app, "/deliveries?status=Waiting", "deliveries", MANY).await;
    assert_eq!(listed.len(), MANY, "every ticket is issued and listed");
    let (queue, sizes) = read_all(&app, None, "/deliveries?status=Waiting", "deliveries", None).await;
    assert_eq!(sizes, [100, 50]);
    assert_eq!(distinct(&queue, "orderId").into_iter().collect::<BTreeSet<_>>(), placed);
    let created: Vec<&str> = queue.iter().map(|d| d["createdAt"].as_str().unwrap()).collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]), "oldest first across pages");
    let numbers: BTreeSet<u64> = queue.iter().map(|d| d["waitingNumber"].as_u64().unwrap()).collect();
    assert_eq!(numbers, (1..=150).collect::<BTreeSet<u64>>(), "every waiting number once");
    let (odd, sizes) = read_all(&app, None, "/deliveries?status=Waiting", "deliveries", Some(37)).await;
    assert_eq!(sizes, [37, 37, 37, 37, 2]);
    assert_eq!(distinct(&odd, "deliveryId"), distinct(&queue, "deliveryId"));
    // An exactly full last page says so: no token to an empty page.
    let (_, sizes) = read_all(&app, None, "/deliveries?status=Waiting", "deliveries", Some(75)).await;
    assert_eq!(sizes, [75, 75]);

    // The day's orders report: every order once, in the order placed.
    let day = queue[0]["businessDay"].as_str().unwrap().to_owned();
    let report = format!("/reports/orders?date={day}");
    assert_eq!(until_listed(&app, &report, "orders", MANY).await.len(), MANY);
    let (rows, sizes) = read_all(&app, None, &report, "orders", Some(40)).await;
    assert_eq!(sizes, [40, 40, 40, 30]);
    assert_eq!(distinct(&rows, "orderId").into_iter().collect::<BTreeSet<_>>(), placed);
    let (_, sizes) = read_all(&app, None, &report, "orders", None).await;
    assert_eq!(sizes, [100, 50]);

    // A token reads only the list it came from.
    let mine = get(&app, Some(&token), "/orders?limit=10").await.body["nextToken"].as_str().unwrap().to_owned();
    let others_token = app.token_of(&other);
    refused(&app, Some(&others_token), &format!("/orders?nextToken={mine}"), "nextToken").await;
    refused(&app, None, &format!("/orders?customerId={other}&nextToken={mine}"), "nextToken").await;
    refused(&app, None, &format!("/deliveries?status=Waiting&nextToken={mine}"), "nextToken").await;
    let waiting = get(&app, None, "/deliveries?limit=10").await.body["nextToken"].as_str().unwrap().to_owned();
    refused(&app, None, &format!("/deliveries?status=Completed&nextToken={waiting}"), "nextToken").await;
    let today = get(&app, None, &format!("{report}&limit=10")).await.body["nextToken"].as_str().unwrap().to_owned();
    refused(&app, None, &format!("/reports/orders?date=2000-01-01&nextToken={today}"), "nextToken").await;
    refused(&app, None, &format!("/products?nextToken={today}"), "nextToken").await;
    // The other customer's own list is still theirs: empty, and last.
    let theirs = get(&app, Some(&others_token), "/orders").await;
    assert_eq!(theirs.body, json!({ "orders": [], "nextToken": null }));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_menu_pages_and_every_list_route_refuses_a_bad_limit_or_token() {
    let app = TestApp::start().await;
    let customer = app.customer("minji@example.com").await;
    for (name, price) in [("Mocha", 5500), ("americano", 4500), ("Latte", 5000), ("Chai", 4800), ("Espresso", 3500)] {
        app.product(name, price).await;
    }

    let (menu, sizes) = read_all(&app, None, "/products", "products", Some(2)).await;
    assert_eq!(sizes, [2, 2, 1]);
    let names = distinct(&menu, "name");
    assert_eq!(names, ["americano", "Chai", "Espresso", "Latte", "Mocha"]);
    let (_, sizes) = read_all(&app, None, "/products", "products", Some(5)).await;
    assert_eq!(sizes, [5], "an exactly full last page has no token");
    let (_, sizes) = read_all(&app, None, "/products", "products", None).await;
    assert_eq!(sizes, [5]);

    let token = app.token_of(&customer);
    let routes = [
        (Some(token.as_str()), "/orders?", 100),
        (None, "/deliveries?status=Waiting&", 500),
        (None, "/products?", 500),
        (None, "/reports/orders?date=2026-11-21&", 500),
    ];
    for (caller, route, max) in routes {
        for bad in ["0".to_owned(), "1000".to_owned(), (max + 1).to_string(), "abc".into(), "-1".into(), "2.5".into()] {
            refused(&app, caller, &format!("{route}limit={bad}"), "limit").await;
        }
        let last = get(&app, caller, &format!("{route}limit={max}")).await;
        assert_eq!((last.status, last.body["nextToken"].clone()), (200, Value::Null), "{route}: {last:?}");
        for garbage in ["garbage", "eyJwayI6MX0", "e30", "%00%01", "nextToken"] {
            refused(&app, caller, &format!("{route}nextToken={garbage}"), "nextToken").await;
        }
        refused(&app, caller, &format!("{route}nextToken="), "nextToken").await;
    }
}
