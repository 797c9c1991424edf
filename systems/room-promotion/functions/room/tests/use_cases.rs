//! Room's use cases against an in-memory fake of its port: register and change with their
//! events, the refusals (unknown room 404, a free room 400, a room that keeps changing 409),
//! a change that changes nothing writes nothing, and the bookable rooms page by name.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use platform::Won;
use platform::dynamo::WriteError;
use platform::page::{Page, PageError, PageRequest};
use room::application::{self, RoomError};
use room::domain::{Room, RoomChange, RoomEvent, RoomId, RoomStatus};
use room::ports::Rooms;

#[derive(Default)]
struct Memory {
    rooms: Mutex<HashMap<RoomId, Room>>,
    outbox: Mutex<Vec<RoomEvent>>,
    saves: AtomicUsize,
    /// Every save loses to a concurrent writer.
    contended: AtomicBool,
}

impl Rooms for Memory {
    async fn find(&self, id: &RoomId) -> anyhow::Result<Option<Room>> {
        Ok(self.rooms.lock().unwrap().get(id).cloned())
    }

    async fn bookable(&self, page: &PageRequest) -> Result<Page<Room>, PageError> {
        let mut rooms: Vec<Room> =
            self.rooms.lock().unwrap().values().filter(|r| r.status == RoomStatus::Available).cloned().collect();
        rooms.sort_by(|a, b| (&a.name, a.id.as_str()).cmp(&(&b.name, b.id.as_str())));
        Page::of_list(rooms, "ROOMS#Available", page)
    }

    async fn save(&self, room: &Room, expected_version: Option<u64>, events: &[RoomEvent]) -> Result<(), WriteError> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        if self.contended.load(Ordering::SeqCst) {
            return Err(WriteError::Conflict);
        }
        let mut rooms = self.rooms.lock().unwrap();
        if rooms.get(&room.id).map(|r| r.version) != expected_version {
            return Err(WriteError::Conflict);
        }
        rooms.insert(room.id.clone(), room.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}

fn price(won: u64) -> RoomChange {
    RoomChange { price_per_night: Some(Won::new(won)), status: None }
}

fn status(status: RoomStatus) -> RoomChange {
    RoomChange { price_per_night: None, status: Some(status) }
}

#[tokio::test]
async fn a_room_is_registered_available_and_its_changes_are_events_with_new_versions() {
    let memory = Memory::default();
    let room = application::register(&memory, "Standard 101".into(), Won::new(50_000)).await.unwrap();
    assert_eq!((room.status, room.version, room.price_per_night), (RoomStatus::Available, 1, Won::new(50_000)));
    assert_eq!(*memory.outbox.lock().unwrap(), [RoomEvent::Registered(room.clone())]);

    let dearer = application::change(&memory, &room.id, price(60_000)).await.unwrap();
    assert_eq!((dearer.price_per_night, dearer.version), (Won::new(60_000), 2));
    let closed = application::change(&memory, &room.id, status(RoomStatus::Closed)).await.unwrap();
    assert_eq!((closed.status, closed.version), (RoomStatus::Closed, 3));
    let reopened = application::change(&memory, &room.id, status(RoomStatus::Available)).await.unwrap();
    assert_eq!((reopened.status, reopened.version), (RoomStatus::Available, 4));
    assert_eq!(
        memory.outbox.lock().unwrap()[1..],
        [RoomEvent::Changed(dearer), RoomEvent::Changed(closed), RoomEvent::Changed(reopened.clone())]
    );
    assert_eq!(memory.rooms.lock().unwrap()[&room.id], reopened);
}

#[tokio::test]
async fn a_repeated_change_writes_nothing_and_emits_nothing() {
    let memory = Memory::default();
    let room = application::register(&memory, "Twin 201".into(), Won::new(45_000)).await.unwrap();
    let closed = application::change(&memory, &room.id, status(RoomStatus::Closed)).await.unwrap();
    let (saves, events) = (memory.saves.load(Ordering::SeqCst), memory.outbox.lock().unwrap().len());
    for _ in 0..3 {
        assert_eq!(application::change(&memory, &room.id, status(RoomStatus::Closed)).await.unwrap(), closed);
    }
    assert_eq!(application::change(&memory, &room.id, price(45_000)).await.unwrap(), closed, "the same price");
    assert_eq!((memory.saves.load(Ordering::SeqCst), memory.outbox.lock().unwrap().len()), (saves, events));
}

#[tokio::test]
async fn unknown_free_and_contended_rooms_are_refused_with_nothing_written() {
    let memory = Memory::default();
    let unknown = RoomId::generate();
    assert!(matches!(
        application::change(&memory, &unknown, price(1)).await,
        Err(RoomError::NotFound(id)) if id == unknown
    ));
    assert!(matches!(application::register(&memory, "Free".into(), Won::ZERO).await, Err(RoomError::Free(_))));
    let room = application::register(&memory, "Suite".into(), Won::new(90_000)).await.unwrap();
    assert!(matches!(application::change(&memory, &room.id, price(0)).await, Err(RoomError::Free(_))));
    assert_eq!(memory.outbox.lock().unwrap().len(), 1, "only the registration");

    memory.contended.store(true, Ordering::SeqCst);
    assert!(matches!(application::change(&memory, &room.id, price(1)).await, Err(RoomError::Contended)));
    assert!(memory.saves.load(Ordering::SeqCst) > 2, "a conflict is retried before it is refused");
    assert_eq!(memory.rooms.lock().unwrap()[&room.id], room, "nothing written");
    assert_eq!(memory.outbox.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn the_bookable_rooms_page_by_name_without_the_closed_ones() {
    let memory = Memory::default();
    for n in [3, 1, 4, 2, 5] {
        application::register(&memory, format!("Room {n}"), Won::new(10_000)).await.unwrap();
    }
    let closed = memory.rooms.lock().unwrap().values().find(|r| r.name == "Room 4").unwrap().id.clone();
    application::change(&memory, &closed, status(RoomStatus::Closed)).await.unwrap();
    let first = application::bookable(&memory, &PageRequest::first(3)).await.unwrap();
    let names: Vec<&str> = first.items.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Room 1", "Room 2", "Room 3"]);
    let rest = application::bookable(&memory, &PageRequest::after(3, first.next.unwrap())).await.unwrap();
    let names: Vec<&str> = rest.items.iter().map(|r| r.name.as_str()).collect();
    assert_eq!((names, rest.next), (vec!["Room 5"], None));
}
