//! The configuration of room's functions, read once at cold start from the variables the
//! template sets; a missing or malformed one fails the cold start with its name.

use platform::config::{self, ConfigError};

use crate::store::DynamoRooms;

/// `RegisterRoomFunction`, `ChangeRoomFunction` and `ListRoomsFunction`: `ROOM_TABLE`,
/// `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct RoomFunction<R = DynamoRooms> {
    /// The rooms, with the outbox.
    pub rooms: R,
}

impl RoomFunction {
    /// Reads the configuration and builds the client.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("ROOM_TABLE")?, config::outbox_retention()?);
        let client = platform::aws::dynamodb(&platform::aws::sdk_config().await);
        Ok(Self { rooms: DynamoRooms::new(client, table, retention) })
    }
}
