//! What room's use cases need from storage. [`crate::store::DynamoRooms`] implements it on
//! DynamoDB, the tests in memory. [`WriteError::Conflict`]: a condition failed, nothing written.

use std::future::Future;

use platform::dynamo::WriteError;

use crate::domain::{Room, RoomEvent, RoomId};

/// The rooms.
pub trait Rooms {
    /// The room `id`; `None` when unknown.
    ///
    /// # Errors
    /// When storage fails.
    fn find(&self, id: &RoomId) -> impl Future<Output = anyhow::Result<Option<Room>>> + Send;

    /// Every room, in name order.
    ///
    /// # Errors
    /// When storage fails.
    fn all(&self) -> impl Future<Output = anyhow::Result<Vec<Room>>> + Send;

    /// Stores `room` (new when `expected_version` is `None`) with `events`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when it exists already or its version differs.
    fn save(
        &self,
        room: &Room,
        expected_version: Option<u64>,
        events: &[RoomEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
}
