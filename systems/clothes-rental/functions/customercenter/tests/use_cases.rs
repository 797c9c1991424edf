//! The my-page use cases against an in-memory fake: events in any order, duplicates, and who
//! may read a my page.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use customercenter::application::{self, ListError, Recorded};
use customercenter::domain::{CustomerId, DeliveryStatus, Fact, MyPage, OrderId, OrderStatus, ReturnStatus};
use customercenter::ports::MyPages;
use platform::EventEnvelope;
use platform::auth::Caller;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};

#[derive(Default)]
struct Memory {
    rows: Mutex<HashMap<OrderId, MyPage>>,
    inbox: Mutex<HashSet<String>>,
}

impl MyPages for Memory {
    async fn find(&self, order: &OrderId) -> anyhow::Result<Option<MyPage>> {
        Ok(self.rows.lock().unwrap().get(order).cloned())
    }

    async fn save_once(
        &self,
        row: &MyPage,
        expected_version: u64,
        cause: &EventEnvelope,
    ) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        let mut rows = self.rows.lock().unwrap();
        if rows.get(&row.order_id).map_or(0, |r| r.version) != expected_version {
            return Err(WriteError::Conflict);
        }
        rows.insert(row.order_id.clone(), row.clone());
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }

    async fn of_customer(&self, customer: &CustomerId, page: &PageRequest) -> Result<Page<MyPage>, PageError> {
        let mut rows: Vec<MyPage> = self
            .rows
            .lock()
            .unwrap()
            .values()
            .filter(|r| &r.customer_id == customer && r.is_listed())
            .cloned()
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.ordered_at));
        Page::of_list(rows, customer.as_str(), page)
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn kim() -> CustomerId {
    CustomerId::parse("auth0|kim").unwrap()
}

fn placed(when: &str) -> Fact {
    Fact::Placed { product_id: "1001".into(), qty: 5, ordered_at: at(when) }
}

fn envelope(id: &str) -> EventEnvelope {
    EventEnvelope {
        id: id.into(),
        ..EventEnvelope::wrap("test", "o", None, &serde_json::json!({"type": "Test", "data": {}}))
    }
}

async fn record(memory: &Memory, order: &str, fact: Fact, event_id: &str) -> Recorded {
    let order = OrderId::parse(order).unwrap();
    application::record(memory, &order, &kim(), &fact, &envelope(event_id), Utc::now()).await.unwrap()
}

#[tokio::test]
async fn events_in_reverse_order_give_the_same_row_as_in_order() {
    let memory = Memory::default();
    record(&memory, "o-1", Fact::ReturnCollected, "e4").await;
    record(&memory, "o-1", Fact::ReturnRequested, "e3").await;
    record(&memory, "o-1", Fact::Shipped, "e2").await;
    assert_eq!(record(&memory, "o-1", placed("2026-11-22T01:00:00Z"), "e1").await, Recorded::Changed);
    let row = memory.rows.lock().unwrap()[&OrderId::parse("o-1").unwrap()].clone();
    assert_eq!(
        (row.order_status, row.delivery_status, row.return_status, row.product_id.as_deref(), row.qty),
        (
            Some(OrderStatus::Returned),
            Some(DeliveryStatus::Shipped),
            Some(ReturnStatus::Collected),
            Some("1001"),
            Some(5)
        )
    );
}

#[tokio::test]
async fn a_duplicate_or_stale_event_changes_nothing() {
    let memory = Memory::default();
    record(&memory, "o-1", placed("2026-11-22T01:00:00Z"), "e1").await;
    record(&memory, "o-1", Fact::Shipped, "e2").await;
    assert_eq!(record(&memory, "o-1", Fact::Shipped, "e2").await, Recorded::Unchanged);
    assert_eq!(record(&memory, "o-1", Fact::DeliveryCancelled, "e9").await, Recorded::Unchanged);
    let row = memory.rows.lock().unwrap()[&OrderId::parse("o-1").unwrap()].clone();
    assert_eq!((row.order_status, row.version), (Some(OrderStatus::Shipped), 2));
}

#[tokio::test]
async fn a_customer_lists_only_their_own_rows_newest_first() {
    let memory = Memory::default();
    record(&memory, "o-1", placed("2026-11-22T01:00:00Z"), "e1").await;
    record(&memory, "o-2", placed("2026-11-22T02:00:00Z"), "e2").await;
    record(&memory, "o-3", Fact::Shipped, "e3").await; // its OrderPlaced has not arrived
    let caller = Caller { subject: "auth0|kim".into(), groups: vec![] };
    let page = application::list(&memory, &caller, &kim(), &PageRequest::first(10)).await.unwrap();
    let ids: Vec<&str> = page.items.iter().map(|r| r.order_id.as_str()).collect();
    assert_eq!(ids, ["o-2", "o-1"]);
    let other = Caller { subject: "auth0|lee".into(), groups: vec![] };
    let refused = application::list(&memory, &other, &kim(), &PageRequest::first(10)).await;
    assert!(matches!(refused, Err(ListError::NotYours)));
}
