//! Room's use cases: [`register`], [`change`] and [`bookable`].

use platform::Won;
use platform::dynamo::WriteError;
use platform::retry::{Conflict, on_conflict};

use crate::domain::{FreeRoom, Room, RoomChange, RoomId, RoomStatus};
use crate::ports::Rooms;

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

/// The rooms that can be booked (`Available`), in name order.
///
/// # Errors
/// When storage fails.
pub async fn bookable(rooms: &impl Rooms) -> anyhow::Result<Vec<Room>> {
    Ok(rooms.all().await?.into_iter().filter(|r| r.status == RoomStatus::Available).collect())
}
