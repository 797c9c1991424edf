//! The my-page use cases: [`record`] an event into its order's row, once (the consumer), and
//! [`list`] a customer's rows (`GET /mypages`).

use chrono::{DateTime, Utc};
use platform::EventEnvelope;
use platform::auth::Caller;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageLimits, PageRequest};
use platform::retry::{Conflict, on_conflict};

use crate::domain::{CustomerId, Fact, MyPage, OrderId};
use crate::ports::MyPages;

/// Page size of [`list`]: 50 rows without `limit`, at most 100.
pub const LIST_LIMIT: PageLimits = PageLimits::new(50, 100);

/// What [`record`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The row changed.
    Changed,
    /// The row had this already (late, repeated or stale): nothing written.
    Unchanged,
    /// The inbox had this event already: nothing written.
    Duplicate,
}

/// Why an event was not recorded; the message is retried, then dead-lettered.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The row kept changing under us.
    #[error("the row kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for RecordError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for RecordError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Merges `fact` (from the consumed event `cause`) into the row of `order` of `customer`,
/// once: the row and the inbox item are written together; a row is made if there is none.
///
/// # Errors
/// [`RecordError`].
#[tracing::instrument(skip_all, fields(correlation_id = %order, ?fact))]
pub async fn record(
    pages: &impl MyPages,
    order: &OrderId,
    customer: &CustomerId,
    fact: &Fact,
    cause: &EventEnvelope,
    now: DateTime<Utc>,
) -> Result<Recorded, RecordError> {
    on_conflict(|| {
        Box::pin(async move {
            let row = pages.find(order).await?.unwrap_or_else(|| MyPage::blank(order.clone(), customer.clone(), now));
            let Some(next) = row.apply(fact, now) else {
                return Ok(Recorded::Unchanged);
            };
            Ok(match pages.save_once(&next, row.version, cause).await? {
                Applied::Now => Recorded::Changed,
                Applied::AlreadyDone => Recorded::Duplicate,
            })
        })
    })
    .await
}

/// Why [`list`] lists nothing.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// Another customer's my page.
    #[error("this is not your my page")]
    NotYours,
    /// The cursor is not one of this list, or storage failed.
    #[error(transparent)]
    Page(#[from] PageError),
}

/// One `page` of `customer`'s my page, newest order first: the caller's own only.
///
/// # Errors
/// [`ListError`].
#[tracing::instrument(skip_all, fields(customer_id = %customer))]
pub async fn list(
    pages: &impl MyPages,
    caller: &Caller,
    customer: &CustomerId,
    page: &PageRequest,
) -> Result<Page<MyPage>, ListError> {
    if customer.as_str() != caller.subject {
        return Err(ListError::NotYours);
    }
    Ok(pages.of_customer(customer, page).await?)
}
