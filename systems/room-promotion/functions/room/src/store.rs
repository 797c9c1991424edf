//! The DynamoDB adapter of room (table `ROOM_TABLE`): implements [`Rooms`].
//!
//! Items: a room `ROOM#<roomId>`, `ROOM`, `Room`; `roomId`, `name`, `pricePerNight` (won),
//! `status`, `version`; indexed in `ByList` by `gsi1pk = ROOMS#<status>`, `gsi1sk =
//! <name>#<roomId>` (the bookable rooms by name); outbox items (relayed to `RoomEventsTopic`).

use std::time::Duration;

use contracts::room as wire;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::{Condition, Index, Table, WriteError, to_item};
use platform::outbox::Outbox;
use platform::page::{Page, PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{Room, RoomEvent, RoomId, RoomStatus};
use crate::ports::Rooms;

/// Name of the index of the rooms by status and name.
pub const LIST_INDEX: &str = "ByList";
const LIST: Index<'static> = Index { name: LIST_INDEX, partition: "gsi1pk", sort: "gsi1sk" };
const SK: &str = "ROOM";

/// Rooms in DynamoDB, with an outbox.
#[derive(Debug, Clone)]
pub struct DynamoRooms {
    table: Table,
    outbox: Outbox,
}

impl DynamoRooms {
    /// The adapter for `table`, whose outbox items expire after `retention`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, retention: Duration) -> Self {
        let table = Table::new(client, table);
        Self { outbox: Outbox::new(table.name(), retention), table }
    }
}

/// The wire form of `event`, with its correlation id (the room id).
pub fn published(event: &RoomEvent) -> (&RoomId, wire::RoomEvent) {
    let facts = |r: &Room| wire::RoomFacts {
        room_id: r.id.to_string(),
        name: r.name.clone(),
        price_per_night: r.price_per_night,
        status: r.status.to_string(),
        version: r.version,
    };
    match event {
        RoomEvent::Registered(r) => (&r.id, wire::RoomEvent::RoomRegistered(facts(r))),
        RoomEvent::Changed(r) => (&r.id, wire::RoomEvent::RoomChanged(facts(r))),
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoomItem {
    pk: String,
    sk: String,
    kind: String,
    room_id: RoomId,
    name: String,
    price_per_night: Won,
    status: RoomStatus,
    version: u64,
    gsi1pk: String,
    gsi1sk: String,
}

impl From<&Room> for RoomItem {
    fn from(r: &Room) -> Self {
        Self {
            pk: format!("ROOM#{}", r.id),
            sk: SK.to_owned(),
            kind: "Room".to_owned(),
            room_id: r.id.clone(),
            name: r.name.clone(),
            price_per_night: r.price_per_night,
            status: r.status,
            version: r.version,
            gsi1pk: format!("ROOMS#{}", r.status),
            gsi1sk: format!("{}#{}", r.name, r.id),
        }
    }
}

impl From<RoomItem> for Room {
    fn from(i: RoomItem) -> Self {
        Self { id: i.room_id, name: i.name, price_per_night: i.price_per_night, status: i.status, version: i.version }
    }
}

impl Rooms for DynamoRooms {
    async fn find(&self, id: &RoomId) -> anyhow::Result<Option<Room>> {
        Ok(self.table.get::<RoomItem>(format!("ROOM#{id}"), SK).await?.map(Room::from))
    }

    async fn bookable(&self, page: &PageRequest) -> Result<Page<Room>, PageError> {
        let list = format!("ROOMS#{}", RoomStatus::Available);
        let items: Page<RoomItem> = self.table.query_page(&LIST, list, true, page).await?;
        Ok(Page::new(items.items.into_iter().map(Room::from).collect(), items.next))
    }

    async fn save(&self, room: &Room, expected_version: Option<u64>, events: &[RoomEvent]) -> Result<(), WriteError> {
        let condition = expected_version.map_or(Condition::New, Condition::Version);
        let mut items = vec![self.table.put(to_item(&RoomItem::from(room))?, condition)];
        for event in events {
            let (id, wire_event) = published(event);
            items.push(self.outbox.put(&EventEnvelope::wrap(SOURCE, id.as_str(), None, &wire_event)));
        }
        self.table.write(items).await
    }
}
