//! Room's rules: the [`Room`] aggregate (객실). Plain Rust: no I/O.
//!
//! Status `Available` <-> `Closed`. A name is 1 to 100 characters of clean text; a price is
//! a whole number of won above 0. Every change says `RoomChanged` with the room's new version.

use platform::Won;
use serde::{Deserialize, Serialize};

platform::uuid_id!(
    /// A room's id: a UUID v7 room generates.
    RoomId,
    "a room id (UUID)"
);

/// The longest room name, in characters.
pub const MAX_NAME: usize = 100;

/// Whether a room can be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum RoomStatus {
    /// Can be booked.
    Available,
    /// Cannot be booked.
    Closed,
}

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    /// Its id.
    pub id: RoomId,
    /// Its name, e.g. `Standard 101`.
    pub name: String,
    /// Price of a night.
    pub price_per_night: Won,
    /// Available or closed.
    pub status: RoomStatus,
    /// 1 when registered, +1 per change.
    pub version: u64,
}

/// What room publishes; each carries the room after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomEvent {
    /// `RoomRegistered`.
    Registered(Room),
    /// `RoomChanged`.
    Changed(Room),
}

/// A price of 0 won.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a price must be above 0 won")]
pub struct FreeRoom;

/// A change of a room: each field optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoomChange {
    /// The new price.
    pub price_per_night: Option<Won>,
    /// Close or reopen.
    pub status: Option<RoomStatus>,
}

impl Room {
    /// Registers an `Available` room; says `RoomRegistered`.
    ///
    /// # Errors
    /// [`FreeRoom`].
    pub fn register(id: RoomId, name: String, price_per_night: Won) -> Result<(Self, Vec<RoomEvent>), FreeRoom> {
        if price_per_night == Won::ZERO {
            return Err(FreeRoom);
        }
        let room = Self { id, name, price_per_night, status: RoomStatus::Available, version: 1 };
        Ok((room.clone(), vec![RoomEvent::Registered(room)]))
    }

    /// Applies `change`; says `RoomChanged`. `Ok(None)` when it changes nothing.
    ///
    /// # Errors
    /// [`FreeRoom`].
    pub fn change(&self, change: RoomChange) -> Result<Option<(Self, Vec<RoomEvent>)>, FreeRoom> {
        if change.price_per_night == Some(Won::ZERO) {
            return Err(FreeRoom);
        }
        let next = Self {
            price_per_night: change.price_per_night.unwrap_or(self.price_per_night),
            status: change.status.unwrap_or(self.status),
            ..self.clone()
        };
        if next == *self {
            return Ok(None);
        }
        let next = Self { version: self.version + 1, ..next };
        Ok(Some((next.clone(), vec![RoomEvent::Changed(next)])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_is_registered_available_and_changes_price_and_status_with_a_new_version() {
        let (room, events) = Room::register(RoomId::generate(), "Standard 101".into(), Won::new(50_000)).unwrap();
        assert_eq!((room.status, room.version), (RoomStatus::Available, 1));
        assert_eq!(events, [RoomEvent::Registered(room.clone())]);
        let closed = RoomChange { status: Some(RoomStatus::Closed), ..RoomChange::default() };
        let (next, events) = room.change(closed).unwrap().unwrap();
        assert_eq!((next.status, next.version, next.price_per_night), (RoomStatus::Closed, 2, Won::new(50_000)));
        assert_eq!(events, [RoomEvent::Changed(next.clone())]);
        let reopened = RoomChange { status: Some(RoomStatus::Available), price_per_night: Some(Won::new(60_000)) };
        let (again, _) = next.change(reopened).unwrap().unwrap();
        assert_eq!((again.status, again.version, again.price_per_night), (RoomStatus::Available, 3, Won::new(60_000)));
        assert_eq!(again.change(RoomChange::default()), Ok(None), "no change, no event");
        assert_eq!(again.change(RoomChange { price_per_night: Some(Won::ZERO), status: None }), Err(FreeRoom));
        assert_eq!(Room::register(RoomId::generate(), "x".into(), Won::ZERO).unwrap_err(), FreeRoom);
    }
}
