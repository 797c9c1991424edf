//! The my page's use cases: [`view`] (a page of rows for a viewer) and [`follow`] (apply an
//! event once).

use chrono::{DateTime, Utc};
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageLimits, PageRequest};
use platform::retry::on_conflict;

use crate::domain::{Change, Row, apply};
use crate::ports::MyPages;

/// Page size of `GET /mypages`: 50 by default, at most 200.
pub const MYPAGE_LIMIT: PageLimits = PageLimits::new(50, 200);

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// A customer (the token's `sub`): only their own rows.
    Customer(String),
    /// The insurance manager: any customer's rows, or all.
    Manager,
}

/// Why rows are not shown.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// A customer asked for another's rows, or for none in particular (403).
    #[error("customerNo must be your own")]
    NotYours,
    /// The customer is not known (yet) (404).
    #[error("customer {0} is not known (yet)")]
    UnknownCustomer(String),
    /// Paging failed.
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<anyhow::Error> for ViewError {
    fn from(err: anyhow::Error) -> Self {
        Self::Page(PageError::Storage(err))
    }
}

/// One page of the rows of `customer_no` (or of all, for the manager), newest change first.
///
/// # Errors
/// [`ViewError`].
pub async fn view(
    pages: &impl MyPages,
    customer_no: Option<&str>,
    viewer: &Viewer,
    page: &PageRequest,
) -> Result<Page<Row>, ViewError> {
    if let Viewer::Customer(subject) = viewer {
        let no = customer_no.ok_or(ViewError::NotYours)?;
        match pages.subject_of(no).await? {
            None => return Err(ViewError::UnknownCustomer(no.to_owned())),
            Some(owner) if owner != *subject => return Err(ViewError::NotYours),
            Some(_) => {}
        }
    }
    Ok(pages.rows(customer_no, page).await?)
}

/// Applies `change` (of event `cause`, at `at`) to the row of (`customer_no`, `plan_no`), once.
///
/// # Errors
/// Storage (retried).
pub async fn follow(
    pages: &impl MyPages,
    (customer_no, plan_no): (&str, &str),
    change: &Change,
    at: DateTime<Utc>,
    cause: &EventEnvelope,
) -> Result<Applied, WriteError> {
    on_conflict(|| async {
        let stored = pages.find(customer_no, plan_no).await?;
        let next = apply(stored.as_ref(), (customer_no, plan_no), change, at);
        pages.save_once(cause, next.as_ref()).await
    })
    .await
}

/// Keeps who customer `customer_no` is (event `cause`: `CustomerRegistered`), once.
///
/// # Errors
/// Storage (retried).
pub async fn keep_customer(
    pages: &impl MyPages,
    customer_no: &str,
    subject: &str,
    cause: &EventEnvelope,
) -> Result<Applied, WriteError> {
    match pages.save_subject_once(cause, customer_no, subject).await {
        Err(WriteError::Conflict) => Ok(Applied::AlreadyDone),
        other => other,
    }
}
