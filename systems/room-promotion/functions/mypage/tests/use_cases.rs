//! The my page's use cases against an in-memory fake of its port: each event's fact moves its
//! customer's page once (a repeated event changes nothing, a fact that changes nothing only
//! marks its event handled), any order of the same events gives the same page, a page that
//! keeps changing under the writer is refused (retried), and a page is read in slices whose
//! cursor belongs to its customer.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use mypage::application::{self, ApplyError};
use mypage::domain::{Fact, GrantStatus, LineStatus, MyPage, Position, PromotionLine};
use mypage::ports::MyPages;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{PageError, PageRequest};

#[derive(Default)]
struct Memory {
    pages: Mutex<HashMap<String, MyPage>>,
    inbox: Mutex<HashSet<String>>,
    /// Every save loses to a concurrent writer.
    contended: AtomicBool,
}

impl MyPages for Memory {
    async fn find(&self, customer: &str) -> anyhow::Result<MyPage> {
        Ok(self.pages.lock().unwrap().get(customer).cloned().unwrap_or_default())
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        customer: &str,
        page: Option<&MyPage>,
        expected_version: u64,
    ) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        if self.contended.load(Ordering::SeqCst) {
            return Err(WriteError::Conflict);
        }
        let mut pages = self.pages.lock().unwrap();
        if let Some(page) = page {
            if pages.get(customer).map_or(0, |p| p.version) != expected_version {
                return Err(WriteError::Conflict);
            }
            pages.insert(customer.to_owned(), page.clone());
        }
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }
}

const KIM: &str = "auth0|kim";

fn event(id: &str) -> EventEnvelope {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "Any", "version": 1, "source": "test", "correlationId": "r",
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": {}
    }))
    .unwrap()
}

fn placed(id: &str, amount: u64) -> Fact {
    Fact::Placed {
        reservation_id: id.into(),
        room_id: "room-1".into(),
        room_name: "Standard 101".into(),
        check_in: "2030-11-29".into(),
        nights: 1,
        amount: Won::new(amount),
    }
}

fn promotion(id: &str, service: Option<&str>, points: u64, status: GrantStatus) -> Fact {
    Fact::Promotion(PromotionLine {
        promotion_id: format!("pr-{id}"),
        payment_id: format!("p-{id}"),
        reservation_id: id.into(),
        service: service.map(str::to_owned),
        points,
        status,
    })
}

/// The spec's step 4 and 5 for one customer, as facts.
fn story() -> Vec<Fact> {
    vec![
        placed("r1", 100_000),
        placed("r2", 50_000),
        placed("r3", 45_000),
        Fact::Paid { reservation_id: "r1".into(), payment_id: "p-r1".into() },
        Fact::Paid { reservation_id: "r2".into(), payment_id: "p-r2".into() },
        Fact::Paid { reservation_id: "r3".into(), payment_id: "p-r3".into() },
        promotion("r1", Some("DISCOUNT COUPON"), 10_000, GrantStatus::Granted),
        promotion("r2", Some("BEVERAGE"), 5_000, GrantStatus::Granted),
        promotion("r3", None, 4_500, GrantStatus::Granted),
        Fact::Cancelled { reservation_id: "r1".into() },
        Fact::Refunded { reservation_id: "r1".into() },
        promotion("r1", Some("DISCOUNT COUPON"), 10_000, GrantStatus::Revoked),
    ]
}

async fn apply_all(memory: &Memory, facts: &[(String, Fact)]) {
    for (id, fact) in facts {
        application::apply(memory, KIM, fact, &event(id)).await.unwrap();
    }
}

#[tokio::test]
async fn the_scenario_events_build_the_page_19500_then_9500_and_repeats_change_nothing() {
    let memory = Memory::default();
    let facts: Vec<(String, Fact)> = story().into_iter().enumerate().map(|(n, f)| (format!("e-{n}"), f)).collect();
    apply_all(&memory, &facts[..9]).await;
    let page = memory.find(KIM).await.unwrap();
    assert_eq!(page.point_balance(), 19_500);
    assert!(page.reservations.values().all(|l| l.status == LineStatus::Confirmed), "{page:?}");
    apply_all(&memory, &facts[9..]).await;
    let page = memory.find(KIM).await.unwrap();
    assert_eq!(page.point_balance(), 9_500);
    assert_eq!((page.reservations["r1"].status, page.reservations["r1"].refunded), (LineStatus::Cancelled, true));
    assert_eq!(page.promotions["p-r1"].status, GrantStatus::Revoked);

    // Every event again (SQS delivers at least once): each is already done, the page stays.
    for (id, fact) in &facts {
        assert_eq!(application::apply(&memory, KIM, fact, &event(id)).await.unwrap(), Applied::AlreadyDone);
    }
    assert_eq!(memory.find(KIM).await.unwrap(), page);
    // The same fact in a new event changes nothing but marks the event handled.
    let again = application::apply(&memory, KIM, &facts[6].1, &event("e-new")).await.unwrap();
    assert_eq!((again, memory.find(KIM).await.unwrap()), (Applied::Now, page));
    assert!(memory.inbox.lock().unwrap().contains("e-new"));
}

#[tokio::test]
async fn the_same_events_in_reverse_order_give_the_same_page() {
    let (forward, backward) = (Memory::default(), Memory::default());
    let facts: Vec<(String, Fact)> = story().into_iter().enumerate().map(|(n, f)| (format!("e-{n}"), f)).collect();
    apply_all(&forward, &facts).await;
    let mut reversed = facts.clone();
    reversed.reverse();
    apply_all(&backward, &reversed).await;
    let (forward, backward) = (forward.find(KIM).await.unwrap(), backward.find(KIM).await.unwrap());
    assert_eq!((&forward.reservations, &forward.promotions), (&backward.reservations, &backward.promotions));
    assert_eq!(backward.point_balance(), 9_500);
}

#[tokio::test]
async fn a_page_that_keeps_changing_is_refused_and_nothing_is_marked_handled() {
    let memory = Memory::default();
    memory.contended.store(true, Ordering::SeqCst);
    let refused = application::apply(&memory, KIM, &placed("r1", 1), &event("e-1")).await;
    assert!(matches!(refused, Err(ApplyError::Contended)), "{refused:?}");
    assert!(memory.pages.lock().unwrap().is_empty() && memory.inbox.lock().unwrap().is_empty());
    memory.contended.store(false, Ordering::SeqCst);
    assert_eq!(application::apply(&memory, KIM, &placed("r1", 1), &event("e-1")).await.unwrap(), Applied::Now);
}

#[tokio::test]
async fn a_page_is_read_in_slices_with_the_whole_balance_and_a_cursor_only_its_customer_can_use() {
    let memory = Memory::default();
    let mut facts: Vec<Fact> = (0..5).map(|n| placed(&format!("r{n}"), 50_000)).collect();
    facts.extend((0..3).map(|n| promotion(&format!("r{n}"), Some("BEVERAGE"), 5_000, GrantStatus::Granted)));
    let facts: Vec<(String, Fact)> = facts.into_iter().enumerate().map(|(n, f)| (format!("e-{n}"), f)).collect();
    apply_all(&memory, &facts).await;

    let (mut reservations, mut promotions, mut page, mut slices) = (Vec::new(), Vec::new(), PageRequest::first(2), 0);
    loop {
        let (whole, slice) = application::view(&memory, KIM, &page).await.unwrap();
        assert_eq!(whole.point_balance(), 15_000, "every slice answers the whole balance");
        reservations.extend(slice.reservations.iter().map(|l| l.reservation_id.clone()));
        promotions.extend(slice.promotions.iter().map(|l| l.payment_id.clone()));
        slices += 1;
        let Some(next) = slice.next else { break };
        let cursor = application::cursor_of(KIM, &next).unwrap();
        assert_eq!(application::position_of(KIM, &cursor).unwrap(), next, "the cursor round-trips");
        page = PageRequest::after(2, cursor);
    }
    assert_eq!(slices, 3);
    assert_eq!(reservations, ["r0", "r1", "r2", "r3", "r4"]);
    assert_eq!(promotions, ["p-r0", "p-r1", "p-r2"]);

    let theirs = application::cursor_of("auth0|someone-else", &Position::default()).unwrap();
    let refused = application::view(&memory, KIM, &PageRequest::after(2, theirs)).await;
    assert!(matches!(refused, Err(PageError::InvalidCursor(_))), "{refused:?}");
    let (empty, slice) = application::view(&memory, "auth0|new", &PageRequest::first(50)).await.unwrap();
    assert_eq!((empty.point_balance(), slice.reservations.len(), slice.next), (0, 0, None));
}
