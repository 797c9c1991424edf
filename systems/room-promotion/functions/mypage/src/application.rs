//! The my page's use cases: [`apply`] an event's fact to its customer's page once, and
//! [`view`] a page.

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::retry::{Conflict, on_conflict};

use crate::domain::{Fact, MyPage};
use crate::ports::MyPages;

/// Why a fact was not applied; the event is retried.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Concurrent writers kept winning.
    #[error("the page kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for ApplyError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for ApplyError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Applies `fact` (from event `cause`) to the page of `customer`, once.
///
/// # Errors
/// [`ApplyError`].
pub async fn apply(
    pages: &impl MyPages,
    customer: &str,
    fact: &Fact,
    cause: &EventEnvelope,
) -> Result<Applied, ApplyError> {
    on_conflict(|| async {
        let page = pages.find(customer).await?;
        let next = page.apply(fact);
        Ok::<_, ApplyError>(pages.save_once(cause, customer, next.as_ref(), page.version).await?)
    })
    .await
}

/// The page of `customer`.
///
/// # Errors
/// When storage fails.
pub async fn view(pages: &impl MyPages, customer: &str) -> anyhow::Result<MyPage> {
    pages.find(customer).await
}
