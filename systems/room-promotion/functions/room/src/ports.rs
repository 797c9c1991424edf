//! What room's use cases need from storage. [`crate::store::DynamoRooms`] implements it on
//! DynamoDB, the tests in memory. [`WriteError::Conflict`]: a condition failed, nothing written.

use std::future::Future;

use platform::dynamo::WriteError;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::{Room, RoomEvent, RoomId};

/// The rooms.
pub trait Rooms {
    /// The room `id`; `None` when unknown.
    ///
    /// # Errors
    /// When storage fails.
    fn find(&self, id: &RoomId) -> impl Future<Output = anyhow::Result<Option<Room>>> + Send;

    /// One `page` of the `Available` rooms, in name order (then id).
    ///
    /// # Errors
    /// [`PageError::InvalidCursor`] when the page's cursor is not one of this list;
    /// [`PageError::Storage`] when storage fails.
    fn bookable(&self, page: &PageRequest) -> impl Future<Output = Result<Page<Room>, PageError>> + Send;

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
