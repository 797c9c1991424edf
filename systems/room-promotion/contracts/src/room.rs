//! Events of the room context, on `RoomEventsTopic`.

use platform::Won;
use serde::{Deserialize, Serialize};

/// What every room event tells: the room as it is now. `version` grows by one per change,
/// so a consumer keeps the newest copy whatever the order of arrival.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomFacts {
    /// Room id.
    pub room_id: String,
    /// Its name, e.g. `Standard 101`.
    pub name: String,
    /// Price of a night, in won.
    pub price_per_night: Won,
    /// `Available` or `Closed`.
    pub status: String,
    /// The room's version: 1 when registered, +1 per change.
    pub version: u64,
}

/// Every event on `RoomEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum RoomEvent {
    /// A room was registered (객실등록). Consumed by reservation (its room copy).
    RoomRegistered(RoomFacts),
    /// A room's price or status changed. Consumed by reservation (its room copy).
    RoomChanged(RoomFacts),
}
