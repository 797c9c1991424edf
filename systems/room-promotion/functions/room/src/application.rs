//! Room's use cases: [`register`], [`change`] and [`bookable`].

use platform::Won;
use platform::dynamo::WriteError;
use platform::page::{Page, PageError, PageLimits, PageRequest};
use platform::retry::{Conflict, on_conflict};

use crate::domain::{FreeRoom, Room, RoomChange, RoomId};
use crate::ports::Rooms;

/// Page size of `GET /rooms`: 50 rooms without `limit`, at most 100.
pub const ROOMS_LIMIT: PageLimits = PageLimits::new(50, 100);

/// Why a room use case did nothing.
#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    /// Unknown room (404).
    #[error("no room {0}")]
    NotFound(RoomId),
    /// A price of 0 (400, named by the handler).
    #[error(transparent)]
    Free(#[from] FreeRoom),
    /// Concurrent writers kept winning.
    #[error("the room kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for RoomError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for RoomError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Registers an `Available` room with `RoomRegistered`.
///
/// # Errors
/// [`RoomError`].
pub async fn register(rooms: &impl Rooms, name: String, price_per_night: Won) -> Result<Room, RoomError> {
    let (room, events) = Room::register(RoomId::generate(), name, price_per_night)?;
    rooms.save(&room, None, &events).await?;
    platform::metrics::count("RoomsRegistered", 1);
    Ok(room)
}

/// Changes room `id`'s price or status (with `RoomChanged`; nothing when it changes nothing).
///
/// # Errors
/// [`RoomError`].
pub async fn change(rooms: &impl Rooms, id: &RoomId, change: RoomChange) -> Result<Room, RoomError> {
    on_conflict(|| async {
        let room = rooms.find(id).await?.ok_or_else(|| RoomError::NotFound(id.clone()))?;
        match room.change(change)? {
            None => Ok(room),
            Some((next, events)) => {
                rooms.save(&next, Some(room.version), &events).await?;
                Ok::<_, RoomError>(next)
            }
        }
    })
    .await
}

/// One `page` of the rooms that can be booked (`Available`), in name order (then id).
///
/// # Errors
/// [`PageError::InvalidCursor`] when the page's cursor is not one of this list;
/// [`PageError::Storage`] when storage fails.
pub async fn bookable(rooms: &impl Rooms, page: &PageRequest) -> Result<Page<Room>, PageError> {
    rooms.bookable(page).await
}
