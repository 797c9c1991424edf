//! The report's use cases with an in-memory fake of its storage ports: duplicates and
//! reordering change nothing, a late cancellation takes an order out of the revenue, an
//! older product version changes nothing, and an order belongs to the shop's local day.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use contracts::delivery::{DeliveryEvent, OrderWaited};
use contracts::order::{OrderCancelled, OrderCompleted, OrderEvent, OrderLine, OrderPlaced};
use contracts::product::{ProductChanged, ProductEvent, ProductRegistered};
use platform::page::{Page, PageError, PageRequest};
use platform::{EventEnvelope, Won};
use report::application::{orders_report, sales_report};
use report::domain::{OrderFact, OrderFacts, OrderId, OrderStatus, ProductFacts, ProductId};
use report::policies::record_sales_facts;
use report::ports::{Kept, ReportFacts, ReportViews};

static SEOUL: std::sync::LazyLock<platform::zone::Zone> =
    std::sync::LazyLock::new(|| platform::zone::Zone::named("Asia/Seoul").unwrap());

/// Views in memory, with the store's rules: a fact sets only itself, a product view
/// changes only for a newer version.
#[derive(Default)]
struct Views {
    orders: Mutex<BTreeMap<OrderId, OrderFacts>>,
    products: Mutex<BTreeMap<ProductId, ProductFacts>>,
}

impl ReportFacts for Views {
    async fn set_order_fact(&self, order_id: &OrderId, fact: &OrderFact) -> anyhow::Result<()> {
        let mut orders = self.orders.lock().unwrap();
        let view = orders.remove(order_id).unwrap_or_else(|| OrderFacts::new(order_id.clone()));
        orders.insert(order_id.clone(), view.with(fact.clone()));
        Ok(())
    }

    async fn keep_product(&self, product: &ProductFacts) -> anyhow::Result<Kept> {
        let mut products = self.products.lock().unwrap();
        if products.get(&product.product_id).is_some_and(|stored| !product.supersedes(stored)) {
            return Ok(Kept::Stale);
        }
        products.insert(product.product_id.clone(), product.clone());
        Ok(Kept::Now)
    }
}

impl ReportViews for Views {
    async fn orders_of_day(&self, day: NaiveDate) -> anyhow::Result<Vec<OrderFacts>> {
        let orders = self.orders.lock().unwrap();
        Ok(orders.values().filter(|o| o.placement.as_ref().is_some_and(|p| p.day == day)).cloned().collect())
    }

    async fn orders_of_day_page(&self, day: NaiveDate, page: &PageRequest) -> Result<Page<OrderFacts>, PageError> {
        let mut orders = self.orders_of_day(day).await?;
        orders.sort_by_key(|o| (o.placement.as_ref().map(|p| p.placed_at), o.order_id.clone()));
        Page::of_list(orders, &day.to_string(), page)
    }

    async fn product_names(&self) -> anyhow::Result<BTreeMap<ProductId, String>> {
        Ok(self.products.lock().unwrap().values().map(|p| (p.product_id.clone(), p.name.clone())).collect())
    }
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn at(envelope: EventEnvelope, occurred_at: &str) -> EventEnvelope {
    EventEnvelope { occurred_at: occurred_at.parse::<DateTime<Utc>>().unwrap(), ..envelope }
}

fn placed(order_id: &str, quantity: u32, placed_at: &str) -> EventEnvelope {
    let amount = Won::new(4500) * quantity;
    let event = OrderEvent::OrderPlaced(OrderPlaced {
        order_id: order_id.into(),
        customer_id: "auth0|minji".into(),
        lines: vec![OrderLine {
            product_id: "p-americano".into(),
            name: "Americano".into(),
            unit_price: Won::new(4500),
            quantity,
            amount,
        }],
        amount,
        placed_at: placed_at.into(),
    });
    at(EventEnvelope::wrap("order", order_id, None, &event), placed_at)
}

fn waited(order_id: &str, waiting_number: u32) -> EventEnvelope {
    let event = DeliveryEvent::OrderWaited(OrderWaited {
        delivery_id: "d-1".into(),
        order_id: order_id.into(),
        customer_id: "auth0|minji".into(),
        waiting_number,
    });
    EventEnvelope::wrap("delivery", order_id, None, &event)
}

fn completed(order_id: &str, occurred_at: &str) -> EventEnvelope {
    let event = OrderEvent::OrderCompleted(OrderCompleted {
        order_id: order_id.into(),
        customer_id: "auth0|minji".into(),
        amount: Won::new(9000),
    });
    at(EventEnvelope::wrap("order", order_id, None, &event), occurred_at)
}

fn cancelled(order_id: &str, amount: u64, occurred_at: &str) -> EventEnvelope {
    let event = OrderEvent::OrderCancelled(OrderCancelled {
        order_id: order_id.into(),
        customer_id: "auth0|minji".into(),
        amount: Won::new(amount),
        reason: "CustomerRequest".into(),
    });
    at(EventEnvelope::wrap("order", order_id, None, &event), occurred_at)
}

fn registered(name: &str) -> EventEnvelope {
    let event = ProductEvent::ProductRegistered(ProductRegistered {
        product_id: "p-americano".into(),
        name: name.into(),
        price: Won::new(4500),
        category: Some("Coffee".into()),
        status: "OnSale".into(),
    });
    EventEnvelope::wrap("product", "p-americano", None, &event)
}

fn changed(name: &str, version: u64) -> EventEnvelope {
    let event = ProductEvent::ProductChanged(ProductChanged {
        product_id: "p-americano".into(),
        name: name.into(),
        price: Won::new(4800),
        status: "SoldOut".into(),
        version,
    });
    EventEnvelope::wrap("product", "p-americano", None, &event)
}

async fn record_all(views: &Views, events: &[EventEnvelope]) {
    for event in events {
        record_sales_facts(views, &SEOUL, event.clone()).await.unwrap();
    }
}

/// A day's events: two orders, one completed after five minutes, one cancelled; a renamed product.
fn a_day() -> Vec<EventEnvelope> {
    vec![
        registered("Americano"),
        placed("o-1", 2, "2026-11-21T05:00:00.000Z"),
        waited("o-1", 1),
        completed("o-1", "2026-11-21T05:05:00.000Z"),
        placed("o-2", 1, "2026-11-21T05:10:00.000Z"),
        waited("o-2", 2),
        cancelled("o-2", 4500, "2026-11-21T05:11:00.000Z"),
        changed("Americano (Hot)", 2),
    ]
}

#[tokio::test]
async fn duplicates_and_reordering_change_nothing() {
    let in_order = Views::default();
    record_all(&in_order, &a_day()).await;
    let sales = sales_report(&in_order, day("2026-11-21")).await.unwrap();
    assert_eq!((sales.orders, sales.revenue), (1, Won::new(9000)));
    assert_eq!((sales.cancelled.count, sales.cancelled.amount), (1, Won::new(4500)));
    assert_eq!(sales.products.len(), 1);
    assert_eq!((sales.products[0].name.as_str(), sales.products[0].quantity), ("Americano (Hot)", 2));
    assert_eq!(sales.completed_orders, 1);
    assert_eq!(sales.average_completion_seconds, Some(300.0));
    let orders = orders_report(&in_order, day("2026-11-21"), &PageRequest::first(500)).await.unwrap().0;

    for shuffle in [
        |events: &mut Vec<EventEnvelope>| events.reverse(),
        |events: &mut Vec<EventEnvelope>| events.rotate_left(3),
        |events: &mut Vec<EventEnvelope>| {
            let again = events.clone();
            events.extend(again.into_iter().rev());
        },
    ] {
        let mut events = a_day();
        shuffle(&mut events);
        let shuffled = Views::default();
        record_all(&shuffled, &events).await;
        assert_eq!(sales_report(&shuffled, day("2026-11-21")).await.unwrap(), sales);
        assert_eq!(orders_report(&shuffled, day("2026-11-21"), &PageRequest::first(500)).await.unwrap().0, orders);
    }
}

#[tokio::test]
async fn a_cancellation_recorded_after_a_completion_takes_the_order_out_of_the_revenue() {
    let views = Views::default();
    record_all(&views, &[placed("o-1", 2, "2026-11-21T05:00:00Z"), completed("o-1", "2026-11-21T05:05:00Z")]).await;
    assert_eq!(sales_report(&views, day("2026-11-21")).await.unwrap().revenue, Won::new(9000));

    record_all(&views, &[cancelled("o-1", 9000, "2026-11-21T05:06:00Z")]).await;
    let sales = sales_report(&views, day("2026-11-21")).await.unwrap();
    assert_eq!((sales.orders, sales.revenue, sales.completed_orders), (0, Won::ZERO, 0));
    assert_eq!((sales.cancelled.count, sales.cancelled.amount), (1, Won::new(9000)));
    assert!(sales.products.is_empty());
    let orders = orders_report(&views, day("2026-11-21"), &PageRequest::first(500)).await.unwrap().0;
    assert_eq!(orders.orders[0].status(), OrderStatus::Cancelled);
}

#[tokio::test]
async fn an_older_product_version_changes_nothing() {
    let views = Views::default();
    record_all(&views, &[placed("o-1", 1, "2026-11-21T05:00:00Z"), changed("Americano (new)", 3)]).await;
    record_all(&views, &[changed("Americano (old)", 2), registered("Americano (first)")]).await;
    let sales = sales_report(&views, day("2026-11-21")).await.unwrap();
    assert_eq!(sales.products[0].name, "Americano (new)");
}

#[tokio::test]
async fn an_order_is_reported_on_the_shops_local_day() {
    let views = Views::default();
    // 23:30 UTC is 08:30 the next morning in Seoul.
    record_all(&views, &[placed("o-1", 1, "2026-11-20T23:30:00Z")]).await;
    assert_eq!(sales_report(&views, day("2026-11-20")).await.unwrap().orders, 0);
    assert_eq!(sales_report(&views, day("2026-11-21")).await.unwrap().orders, 1);
    let orders = orders_report(&views, day("2026-11-21"), &PageRequest::first(500)).await.unwrap().0;
    assert_eq!(orders.orders[0].order_id.as_str(), "o-1");
    assert_eq!(orders.orders[0].status(), OrderStatus::Placed);
}

#[tokio::test]
async fn events_the_report_does_not_read_are_acknowledged_and_bad_ones_refused() {
    let views = Views::default();
    let started = DeliveryEvent::DeliveryStarted(contracts::delivery::DeliveryStarted {
        delivery_id: "d-1".into(),
        order_id: "o-1".into(),
        customer_id: "c-1".into(),
    });
    record_sales_facts(&views, &SEOUL, EventEnvelope::wrap("delivery", "o-1", None, &started)).await.unwrap();

    let mut bad_time = placed("o-1", 1, "2026-11-21T05:00:00Z");
    bad_time.data["placedAt"] = "yesterday".into();
    assert!(record_sales_facts(&views, &SEOUL, bad_time).await.is_err());
    let mut bad_status = registered("Americano");
    bad_status.data["status"] = "Discontinued".into();
    assert!(record_sales_facts(&views, &SEOUL, bad_status).await.is_err());
    let mut bad_id = waited("o-1", 1);
    bad_id.data["orderId"] = "".into();
    assert!(record_sales_facts(&views, &SEOUL, bad_id).await.is_err());

    assert!(views.orders.lock().unwrap().is_empty());
    assert!(views.products.lock().unwrap().is_empty());
}
