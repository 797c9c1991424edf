//! The DynamoDB adapter of the my page (table `MYPAGE_TABLE`).
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a row: `ROW#<customerNo>#<planNo>`, `ROW`, `MyPageRow`; `row` (the [`Row`], a map), and
//!   a top-level `revision` the writes condition on; `gsi1pk`
//!   `CUSTOMER#<customerNo>` and `gsi2pk` `ROWS`, with `gsi1sk` / `gsi2sk` the change time and
//!   the row's key, so a customer's rows (index `ByCustomer`) and all rows (`ByAll`) read newest
//!   change first;
//! - who a customer is: `CUSTOMER#<customerNo>`, `CUSTOMER`, `Customer`; `subject`;
//! - the consumer's inbox items.

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::SecondsFormat;
use platform::EventEnvelope;
use platform::dynamo::{Condition, Index, Table, WriteError, to_item};
use platform::inbox::{Applied, Inbox};
use platform::page::{Page, PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::domain::Row;
use crate::ports::MyPages;

const BY_CUSTOMER: Index<'static> = Index { name: "ByCustomer", partition: "gsi1pk", sort: "gsi1sk" };
const BY_ALL: Index<'static> = Index { name: "ByAll", partition: "gsi2pk", sort: "gsi2sk" };

/// The my page in DynamoDB; with the consumer's inbox.
#[derive(Debug, Clone)]
pub struct DynamoMyPages {
    table: Table,
    inbox: Option<Inbox>,
}

impl DynamoMyPages {
    /// The adapter for `table`: it reads.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), inbox: None }
    }

    /// The adapter that also applies consumed events once, through the inbox of `consumer`.
    #[must_use]
    pub fn with_inbox(self, consumer: &str, retention: Duration) -> Self {
        let inbox = Inbox::new(self.table.client().clone(), self.table.name(), consumer, retention);
        Self { inbox: Some(inbox), ..self }
    }

    async fn apply_once(
        &self,
        cause: &EventEnvelope,
        items: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    ) -> Result<Applied, WriteError> {
        let inbox = self.inbox.as_ref().context("only the consumer has an inbox")?;
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(cause, items)).await?)
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RowItem {
    pk: String,
    sk: String,
    kind: String,
    gsi1pk: String,
    gsi1sk: String,
    gsi2pk: String,
    gsi2sk: String,
    revision: u64,
    row: Row,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerItem {
    pk: String,
    sk: String,
    kind: String,
    customer_no: String,
    subject: String,
}

fn row_pk(customer_no: &str, plan_no: &str) -> String {
    format!("ROW#{customer_no}#{plan_no}")
}

impl From<&Row> for RowItem {
    fn from(row: &Row) -> Self {
        let changed = row.changed_at.to_rfc3339_opts(SecondsFormat::Millis, true);
        Self {
            pk: row_pk(&row.customer_no, &row.plan_no),
            sk: "ROW".to_owned(),
            kind: "MyPageRow".to_owned(),
            gsi1pk: format!("CUSTOMER#{}", row.customer_no),
            gsi1sk: format!("{changed}#{}", row.plan_no),
            gsi2pk: "ROWS".to_owned(),
            gsi2sk: format!("{changed}#{}#{}", row.customer_no, row.plan_no),
            revision: row.revision,
            row: row.clone(),
        }
    }
}

impl MyPages for DynamoMyPages {
    async fn find(&self, customer_no: &str, plan_no: &str) -> anyhow::Result<Option<Row>> {
        Ok(self.table.get::<RowItem>(row_pk(customer_no, plan_no), "ROW").await?.map(|i| i.row))
    }

    async fn rows(&self, customer_no: Option<&str>, page: &PageRequest) -> Result<Page<Row>, PageError> {
        let items: Page<RowItem> = match customer_no {
            Some(no) => self.table.query_page(&BY_CUSTOMER, format!("CUSTOMER#{no}"), false, page).await?,
            None => self.table.query_page(&BY_ALL, "ROWS", false, page).await?,
        };
        Ok(Page::new(items.items.into_iter().map(|i| i.row).collect(), items.next))
    }

    async fn subject_of(&self, customer_no: &str) -> anyhow::Result<Option<String>> {
        Ok(self.table.get::<CustomerItem>(format!("CUSTOMER#{customer_no}"), "CUSTOMER").await?.map(|i| i.subject))
    }

    async fn save_once(&self, cause: &EventEnvelope, row: Option<&Row>) -> Result<Applied, WriteError> {
        let mut items = Vec::new();
        if let Some(row) = row {
            let condition = if row.revision <= 1 {
                Condition::New
            } else {
                let expected = AttributeValue::N((row.revision - 1).to_string());
                Condition::Expression("revision = :expected".to_owned(), vec![(":expected".to_owned(), expected)])
            };
            items.push(self.table.put(to_item(&RowItem::from(row))?, condition));
        }
        self.apply_once(cause, items).await
    }

    async fn save_subject_once(
        &self,
        cause: &EventEnvelope,
        customer_no: &str,
        subject: &str,
    ) -> Result<Applied, WriteError> {
        let item = CustomerItem {
            pk: format!("CUSTOMER#{customer_no}"),
            sk: "CUSTOMER".to_owned(),
            kind: "Customer".to_owned(),
            customer_no: customer_no.to_owned(),
            subject: subject.to_owned(),
        };
        self.apply_once(cause, vec![self.table.put(to_item(&item)?, Condition::New)]).await
    }
}
