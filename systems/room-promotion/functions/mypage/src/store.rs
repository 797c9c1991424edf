//! The DynamoDB adapter of the my page (table `MYPAGE_TABLE`): one item per customer,
//! `MYPAGE#<customerId>`, `MYPAGE`, `MyPage`: `reservations`, `promotions` (maps) and
//! `version`; and the consumer's inbox items.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use platform::EventEnvelope;
use platform::dynamo::{Condition, Table, WriteError, to_item};
use platform::inbox::{Applied, Inbox};
use serde::{Deserialize, Serialize};

use crate::domain::{MyPage, PromotionLine, ReservationLine};
use crate::ports::MyPages;

const SK: &str = "MYPAGE";

/// Pages in DynamoDB, with the consumer's inbox when it has one.
#[derive(Debug, Clone)]
pub struct DynamoMyPages {
    table: Table,
    inbox: Option<Inbox>,
}

impl DynamoMyPages {
    /// The adapter for `table` (reads only).
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), inbox: None }
    }

    /// The adapter that also applies events once, through the inbox of `consumer`.
    #[must_use]
    pub fn with_inbox(self, consumer: &str, retention: Duration) -> Self {
        let inbox = Inbox::new(self.table.client().clone(), self.table.name(), consumer, retention);
        Self { inbox: Some(inbox), ..self }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageItem {
    pk: String,
    sk: String,
    kind: String,
    customer_id: String,
    reservations: BTreeMap<String, ReservationLine>,
    promotions: BTreeMap<String, PromotionLine>,
    version: u64,
}

impl MyPages for DynamoMyPages {
    async fn find(&self, customer: &str) -> anyhow::Result<MyPage> {
        Ok(self
            .table
            .get::<PageItem>(format!("MYPAGE#{customer}"), SK)
            .await?
            .map(|i| MyPage { reservations: i.reservations, promotions: i.promotions, version: i.version })
            .unwrap_or_default())
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        customer: &str,
        page: Option<&MyPage>,
        expected_version: u64,
    ) -> Result<Applied, WriteError> {
        let inbox = self.inbox.as_ref().context("only the consumer has an inbox")?;
        let mut items = Vec::new();
        if let Some(page) = page {
            let item = PageItem {
                pk: format!("MYPAGE#{customer}"),
                sk: SK.to_owned(),
                kind: "MyPage".to_owned(),
                customer_id: customer.to_owned(),
                reservations: page.reservations.clone(),
                promotions: page.promotions.clone(),
                version: page.version,
            };
            let condition = if expected_version == 0 { Condition::New } else { Condition::Version(expected_version) };
            items.push(self.table.put(to_item(&item)?, condition));
        }
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(cause, items)).await?)
    }
}
