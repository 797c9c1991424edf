//! The DynamoDB adapter of promotion (table `PROMOTION_TABLE`): implements [`Promotions`].
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a payment's entry: `PROMOTION#<paymentId>`, `PROMOTION`, and either `Promotion`
//!   (`promotionId`, `paymentId`, `reservationId`, `customerId`, `customerName`,
//!   `paymentPrice` (won), `service`, `points`, `status`, `version`) or `Tombstone`
//!   (`paymentId`). Written only if new, so a payment has one promotion at most;
//! - outbox items ([`platform::outbox`], relayed to `PromotionEventsTopic`) and the
//!   payment-event consumer's inbox items ([`platform::inbox`]).

use std::time::Duration;

use aws_sdk_dynamodb::types::TransactWriteItem;
use contracts::promotion as wire;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::{Condition, Table, WriteError, to_item};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{
    CustomerId, Ledger, PaymentId, Promotion, PromotionEvent, PromotionId, PromotionStatus, ReservationId, Service,
};
use crate::ports::Promotions;

const SK: &str = "PROMOTION";

fn pk(payment: &PaymentId) -> String {
    format!("PROMOTION#{payment}")
}

/// Promotions in DynamoDB, with an outbox and the payment-event consumer's inbox.
#[derive(Debug, Clone)]
pub struct DynamoPromotions {
    table: Table,
    outbox: Outbox,
    inbox: Inbox,
}

impl DynamoPromotions {
    /// The adapter for `table`, whose outbox and inbox (of `consumer`) items expire after
    /// `retention`.
    pub fn new(
        client: aws_sdk_dynamodb::Client,
        table: impl Into<String>,
        consumer: &str,
        retention: Duration,
    ) -> Self {
        let table = Table::new(client, table);
        let inbox = Inbox::new(table.client().clone(), table.name(), consumer, retention);
        Self { outbox: Outbox::new(table.name(), retention), inbox, table }
    }

    async fn write_once(
        &self,
        mut items: Vec<TransactWriteItem>,
        once: &EventEnvelope,
        events: &[PromotionEvent],
    ) -> Result<Applied, WriteError> {
        items.extend(events.iter().map(|event| {
            let (reservation, wire_event) = published(event);
            self.outbox.put(&EventEnvelope::wrap(SOURCE, reservation, Some(&once.id), &wire_event))
        }));
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(self.inbox.apply_once(once, items)).await?)
    }
}

/// The wire form of `event`, with its correlation id (the reservation id).
pub fn published(event: &PromotionEvent) -> (&str, wire::PromotionEvent) {
    match event {
        PromotionEvent::Granted(p) => (
            p.reservation_id.as_str(),
            wire::PromotionEvent::PromotionGranted(wire::PromotionGranted {
                promotion_id: p.id.to_string(),
                payment_id: p.payment_id.to_string(),
                reservation_id: p.reservation_id.to_string(),
                customer_id: p.customer_id.to_string(),
                customer_name: p.customer_name.clone(),
                payment_price: p.payment_price.get(),
                service: p.service.map(|s| s.to_string()),
                points: p.points,
            }),
        ),
        PromotionEvent::Revoked(p) => (
            p.reservation_id.as_str(),
            wire::PromotionEvent::PromotionRevoked(wire::PromotionRevoked {
                promotion_id: p.id.to_string(),
                payment_id: p.payment_id.to_string(),
                reservation_id: p.reservation_id.to_string(),
                customer_id: p.customer_id.to_string(),
                service: p.service.map(|s| s.to_string()),
                points: p.points,
            }),
        ),
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryItem {
    pk: String,
    sk: String,
    kind: String,
    payment_id: PaymentId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    promotion_id: Option<PromotionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reservation_id: Option<ReservationId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer_id: Option<CustomerId>,
    #[serde(default)]
    customer_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_price: Option<Won>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service: Option<Service>,
    #[serde(default)]
    points: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<PromotionStatus>,
    #[serde(default)]
    version: u64,
}

impl From<&Promotion> for EntryItem {
    fn from(p: &Promotion) -> Self {
        Self {
            pk: pk(&p.payment_id),
            sk: SK.to_owned(),
            kind: "Promotion".to_owned(),
            payment_id: p.payment_id.clone(),
            promotion_id: Some(p.id.clone()),
            reservation_id: Some(p.reservation_id.clone()),
            customer_id: Some(p.customer_id.clone()),
            customer_name: p.customer_name.clone(),
            payment_price: Some(p.payment_price),
            service: p.service,
            points: p.points,
            status: Some(p.status),
            version: p.version,
        }
    }
}

impl TryFrom<EntryItem> for Ledger {
    type Error = anyhow::Error;
    fn try_from(item: EntryItem) -> anyhow::Result<Self> {
        if item.kind == "Tombstone" {
            return Ok(Self::Tombstone);
        }
        let missing = |field: &str| anyhow::anyhow!("promotion of payment {} without {field}", item.payment_id);
        Ok(Self::Promoted(Promotion {
            id: item.promotion_id.clone().ok_or_else(|| missing("promotionId"))?,
            reservation_id: item.reservation_id.clone().ok_or_else(|| missing("reservationId"))?,
            customer_id: item.customer_id.clone().ok_or_else(|| missing("customerId"))?,
            payment_price: item.payment_price.ok_or_else(|| missing("paymentPrice"))?,
            status: item.status.ok_or_else(|| missing("status"))?,
            service: item.service,
            points: item.points,
            version: item.version,
            customer_name: item.customer_name,
            payment_id: item.payment_id,
        }))
    }
}

impl Promotions for DynamoPromotions {
    #[tracing::instrument(skip_all, fields(payment_id = %payment))]
    async fn find(&self, payment: &PaymentId) -> anyhow::Result<Option<Ledger>> {
        self.table.get::<EntryItem>(pk(payment), SK).await?.map(Ledger::try_from).transpose()
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        promotion: &Promotion,
        expected_version: Option<u64>,
        events: &[PromotionEvent],
    ) -> Result<Applied, WriteError> {
        let condition = expected_version.map_or(Condition::New, Condition::Version);
        let items = vec![self.table.put(to_item(&EntryItem::from(promotion))?, condition)];
        self.write_once(items, cause, events).await
    }

    async fn tombstone(&self, cause: &EventEnvelope, payment: &PaymentId) -> Result<Applied, WriteError> {
        let item = EntryItem {
            pk: pk(payment),
            sk: SK.to_owned(),
            kind: "Tombstone".to_owned(),
            payment_id: payment.clone(),
            promotion_id: None,
            reservation_id: None,
            customer_id: None,
            customer_name: String::new(),
            payment_price: None,
            service: None,
            points: 0,
            status: Some(PromotionStatus::Revoked),
            version: 1,
        };
        self.write_once(vec![self.table.put(to_item(&item)?, Condition::New)], cause, &[]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ApprovedPayment;
    use platform::dynamo::from_item;

    #[test]
    fn a_promotion_round_trips_through_its_item_and_publishes_the_seed_names() {
        let paid = ApprovedPayment {
            payment_id: PaymentId::parse("p-1").unwrap(),
            reservation_id: ReservationId::parse("r-1").unwrap(),
            customer_id: CustomerId::parse("auth0|a").unwrap(),
            customer_name: "A".to_owned(),
            amount: Won::new(50_000),
        };
        let (promotion, events) = Promotion::grant(PromotionId::generate(), paid);
        let item = to_item(&EntryItem::from(&promotion)).unwrap();
        assert_eq!(item["service"].as_s().unwrap(), "BEVERAGE");
        assert_eq!(Ledger::try_from(from_item::<EntryItem>(item).unwrap()).unwrap(), Ledger::Promoted(promotion));
        let json = serde_json::to_value(published(&events[0]).1).unwrap();
        assert_eq!(json["type"], "PromotionGranted");
        assert_eq!((json["data"]["service"].as_str(), json["data"]["points"].as_u64()), (Some("BEVERAGE"), Some(5000)));
    }
}
