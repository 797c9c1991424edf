//! The DynamoDB adapter of reservation (table `RESERVATION_TABLE`): implements [`Rooms`] and
//! [`Reservations`], with typed items mapped by `serde_dynamo`.
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a room copy: `ROOM#<roomId>`, `ROOM`, `RoomCopy`; `roomId`, `name`, `pricePerNight`
//!   (won), `status`, `version` (the room's own);
//! - a reservation: `RESERVATION#<id>`, `RESERVATION`, `Reservation`; `reservationId`,
//!   `customerId`, `customerName`, `roomId`, `roomName`, `checkIn` (`YYYY-MM-DD`), `nights`,
//!   `amount` (won), `status`, `paymentId`, `service`, `points`, `createdAt`, `updatedAt`,
//!   `version`;
//! - a night: `NIGHT#<roomId>#<date>`, `NIGHT`, `RoomNight`; `reservationId`. Written with
//!   the reservation only if new (so no night is sold twice), deleted with its cancellation;
//! - the first answer of a `POST /reservations` with an `Idempotency-Key`
//!   ([`platform::idempotency`]), outbox items (relayed to `ReservationEventsTopic`), the
//!   consumer's inbox items, and the shared breaker's item for payment.

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use contracts::reservation as wire;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::{Condition, Table, WriteError, to_item};
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{
    Benefit, CustomerId, Nights, PaymentId, Reservation, ReservationEvent, ReservationId, ReservationStatus, RoomCopy,
    RoomId, RoomStatus,
};
use crate::ports::{Reservations, Rooms};

/// Reservation's items in DynamoDB; with an outbox for functions that publish, and an inbox
/// for the event consumer.
#[derive(Debug, Clone)]
pub struct DynamoReservations {
    table: Table,
    outbox: Option<Outbox>,
    inbox: Option<Inbox>,
}

impl DynamoReservations {
    /// The adapter for `table`, without outbox or inbox: it reads.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), outbox: None, inbox: None }
    }

    /// The adapter that also publishes events, whose outbox items expire after `retention`.
    #[must_use]
    pub fn with_outbox(self, retention: Duration) -> Self {
        let outbox = Outbox::new(self.table.name(), retention);
        Self { outbox: Some(outbox), ..self }
    }

    /// The adapter that also applies consumed events once, through the inbox of `consumer`.
    #[must_use]
    pub fn with_inbox(self, consumer: &str, retention: Duration) -> Self {
        let inbox = Inbox::new(self.table.client().clone(), self.table.name(), consumer, retention);
        Self { inbox: Some(inbox), ..self }
    }

    fn outbox_items(&self, events: &[ReservationEvent]) -> Result<Vec<TransactWriteItem>, WriteError> {
        let mut items = Vec::new();
        for event in events {
            let outbox = self.outbox.as_ref().context("this function has no outbox, yet a change has events")?;
            let (id, wire_event) = published(event);
            items.push(outbox.put(&EventEnvelope::wrap(SOURCE, id.as_str(), None, &wire_event)));
        }
        Ok(items)
    }

    fn night_delete(&self, room: &RoomId, date: NaiveDate) -> anyhow::Result<TransactWriteItem> {
        let delete = Delete::builder()
            .table_name(self.table.name())
            .set_key(Some(platform::dynamo::key(night_pk(room, date), NIGHT_SK)))
            .build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    async fn apply_once(&self, cause: &EventEnvelope, items: Vec<TransactWriteItem>) -> Result<Applied, WriteError> {
        let inbox = self.inbox.as_ref().context("only the consumer has an inbox")?;
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(cause, items)).await?)
    }
}

/// The wire form of `event`, with its correlation id (the reservation id).
pub fn published(event: &ReservationEvent) -> (&ReservationId, wire::ReservationEvent) {
    match event {
        ReservationEvent::Placed(r) => (
            &r.id,
            wire::ReservationEvent::ReservationPlaced(wire::ReservationPlaced {
                reservation_id: r.id.to_string(),
                customer_id: r.customer_id.to_string(),
                customer_name: r.customer_name.clone(),
                room_id: r.room_id.to_string(),
                room_name: r.room_name.clone(),
                check_in: r.check_in.to_string(),
                nights: r.nights.get(),
                amount: r.amount,
            }),
        ),
        ReservationEvent::Cancelled(r, reason) => (
            &r.id,
            wire::ReservationEvent::ReservationCancelled(wire::ReservationCancelled {
                reservation_id: r.id.to_string(),
                customer_id: r.customer_id.to_string(),
                payment_id: r.payment_id.as_ref().map(ToString::to_string),
                reason: (*reason).to_owned(),
            }),
        ),
    }
}

const ROOM_SK: &str = "ROOM";
const RESERVATION_SK: &str = "RESERVATION";
const NIGHT_SK: &str = "NIGHT";

fn room_pk(room: &RoomId) -> String {
    format!("ROOM#{room}")
}

fn reservation_pk(id: &ReservationId) -> String {
    format!("RESERVATION#{id}")
}

fn night_pk(room: &RoomId, date: NaiveDate) -> String {
    format!("NIGHT#{room}#{date}")
}

fn stamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(text: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc))
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
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReservationItem {
    pk: String,
    sk: String,
    kind: String,
    reservation_id: ReservationId,
    customer_id: CustomerId,
    customer_name: String,
    room_id: RoomId,
    room_name: String,
    check_in: NaiveDate,
    nights: Nights,
    amount: Won,
    status: ReservationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_id: Option<PaymentId>,
    #[serde(default)]
    promoted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service: Option<String>,
    #[serde(default)]
    points: u64,
    created_at: String,
    updated_at: String,
    version: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NightItem {
    pk: String,
    sk: String,
    kind: String,
    reservation_id: ReservationId,
}

impl From<&Reservation> for ReservationItem {
    fn from(r: &Reservation) -> Self {
        Self {
            pk: reservation_pk(&r.id),
            sk: RESERVATION_SK.to_owned(),
            kind: "Reservation".to_owned(),
            reservation_id: r.id.clone(),
            customer_id: r.customer_id.clone(),
            customer_name: r.customer_name.clone(),
            room_id: r.room_id.clone(),
            room_name: r.room_name.clone(),
            check_in: r.check_in,
            nights: r.nights,
            amount: r.amount,
            status: r.status,
            payment_id: r.payment_id.clone(),
            promoted: r.promotion.is_some(),
            service: r.promotion.as_ref().and_then(|b| b.service.clone()),
            points: r.promotion.as_ref().map_or(0, |b| b.points),
            created_at: stamp(&r.created_at),
            updated_at: stamp(&r.updated_at),
            version: r.version,
        }
    }
}

impl TryFrom<ReservationItem> for Reservation {
    type Error = anyhow::Error;
    fn try_from(item: ReservationItem) -> anyhow::Result<Self> {
        Ok(Self {
            created_at: parse_time(&item.created_at)?,
            updated_at: parse_time(&item.updated_at)?,
            promotion: item.promoted.then_some(Benefit { service: item.service, points: item.points }),
            id: item.reservation_id,
            customer_id: item.customer_id,
            customer_name: item.customer_name,
            room_id: item.room_id,
            room_name: item.room_name,
            check_in: item.check_in,
            nights: item.nights,
            amount: item.amount,
            status: item.status,
            payment_id: item.payment_id,
            version: item.version,
        })
    }
}

impl Rooms for DynamoReservations {
    async fn find_room(&self, room: &RoomId) -> anyhow::Result<Option<RoomCopy>> {
        Ok(self.table.get::<RoomItem>(room_pk(room), ROOM_SK).await?.map(|i| RoomCopy {
            room_id: i.room_id,
            name: i.name,
            price_per_night: i.price_per_night,
            status: i.status,
            version: i.version,
        }))
    }

    async fn save_room_once(
        &self,
        cause: &EventEnvelope,
        copy: &RoomCopy,
        replaced: Option<u64>,
    ) -> Result<Applied, WriteError> {
        let item = RoomItem {
            pk: room_pk(&copy.room_id),
            sk: ROOM_SK.to_owned(),
            kind: "RoomCopy".to_owned(),
            room_id: copy.room_id.clone(),
            name: copy.name.clone(),
            price_per_night: copy.price_per_night,
            status: copy.status,
            version: copy.version,
        };
        let condition = replaced.map_or(Condition::New, Condition::Version);
        self.apply_once(cause, vec![self.table.put(to_item(&item)?, condition)]).await
    }
}

impl Reservations for DynamoReservations {
    #[tracing::instrument(skip_all, fields(reservation_id = %id))]
    async fn find(&self, id: &ReservationId) -> anyhow::Result<Option<Reservation>> {
        self.table
            .get::<ReservationItem>(reservation_pk(id), RESERVATION_SK)
            .await?
            .map(Reservation::try_from)
            .transpose()
    }

    async fn find_idempotency(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> anyhow::Result<Option<IdempotencyRecord>> {
        platform::idempotency::find(&self.table, customer.as_str(), key).await
    }

    #[tracing::instrument(skip_all, fields(reservation_id = %reservation.id))]
    async fn place(
        &self,
        reservation: &Reservation,
        events: &[ReservationEvent],
        answer: Option<(&IdempotencyKey, &IdempotencyRecord)>,
    ) -> Result<(), WriteError> {
        let mut items = vec![self.table.put(to_item(&ReservationItem::from(reservation))?, Condition::New)];
        for date in reservation.stay() {
            let night = NightItem {
                pk: night_pk(&reservation.room_id, date),
                sk: NIGHT_SK.to_owned(),
                kind: "RoomNight".to_owned(),
                reservation_id: reservation.id.clone(),
            };
            items.push(self.table.put(to_item(&night)?, Condition::New));
        }
        items.extend(self.outbox_items(events)?);
        if let Some((key, record)) = answer {
            let first = platform::idempotency::item(reservation.customer_id.as_str(), key, record)?;
            items.push(self.table.put(first, Condition::New));
        }
        self.table.write(items).await
    }

    #[tracing::instrument(skip_all, fields(reservation_id = %reservation.id, expected_version))]
    async fn save(
        &self,
        reservation: &Reservation,
        expected_version: u64,
        events: &[ReservationEvent],
    ) -> Result<(), WriteError> {
        let item = to_item(&ReservationItem::from(reservation))?;
        let mut items = vec![self.table.put(item, Condition::Version(expected_version))];
        if reservation.status == ReservationStatus::Cancelled {
            for date in reservation.stay() {
                items.push(self.night_delete(&reservation.room_id, date)?);
            }
        }
        items.extend(self.outbox_items(events)?);
        self.table.write(items).await
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        reservation: &Reservation,
        expected_version: u64,
    ) -> Result<Applied, WriteError> {
        let item = to_item(&ReservationItem::from(reservation))?;
        self.apply_once(cause, vec![self.table.put(item, Condition::Version(expected_version))]).await
    }

    async fn skip_once(&self, cause: &EventEnvelope) -> Result<Applied, WriteError> {
        self.apply_once(cause, Vec::new()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::dynamo::from_item;

    #[test]
    fn a_reservation_round_trips_through_its_item() {
        let room = RoomCopy {
            room_id: RoomId::parse("room-1").unwrap(),
            name: "Standard 101".into(),
            price_per_night: Won::new(50_000),
            status: RoomStatus::Available,
            version: 1,
        };
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 3);
        let check_in = crate::domain::today(now);
        let customer = (CustomerId::parse("auth0|a").unwrap(), "A".to_owned());
        let nights = Nights::try_from(2).unwrap();
        let (r, events) =
            Reservation::place(ReservationId::generate(), customer, &room, check_in, nights, now).unwrap();
        let confirmed =
            r.confirm(PaymentId::parse("p").unwrap(), Benefit { service: None, points: 10_000 }, now).unwrap();
        let item = to_item(&ReservationItem::from(&confirmed)).unwrap();
        assert_eq!(item["status"].as_s().unwrap(), "Confirmed");
        assert_eq!(Reservation::try_from(from_item::<ReservationItem>(item).unwrap()).unwrap(), confirmed);
        let json = serde_json::to_value(published(&events[0]).1).unwrap();
        assert_eq!(
            (json["type"].as_str(), json["data"]["amount"].as_u64()),
            (Some("ReservationPlaced"), Some(100_000))
        );
    }
}
