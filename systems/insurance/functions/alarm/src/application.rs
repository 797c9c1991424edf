//! Alarm's use cases: [`notify`] (one message per occasion, once), [`keep_customer`] and
//! [`list`].

use chrono::Utc;
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageLimits, PageRequest};

use crate::domain::{Message, Occasion};
use crate::ports::Messages;

/// Page size of `GET /msgs`: 50 by default, at most 200.
pub const MESSAGE_LIMIT: PageLimits = PageLimits::new(50, 200);

/// Sends the message of `occasion` to `customer_no` about `plan_no` (event `cause`), once.
///
/// # Errors
/// Storage (retried).
pub async fn notify(
    messages: &impl Messages,
    occasion: &Occasion,
    (customer_no, plan_no): (&str, &str),
    cause: &EventEnvelope,
) -> Result<Applied, WriteError> {
    let message = occasion.message(customer_no, plan_no, Utc::now());
    let applied = messages.send_once(cause, &message).await?;
    if applied == Applied::Now {
        platform::metrics::count("MessagesSent", 1);
    }
    Ok(applied)
}

/// Keeps who customer `customer_no` is (event `cause`: `CustomerRegistered`), once.
///
/// # Errors
/// Storage (retried).
pub async fn keep_customer(
    messages: &impl Messages,
    customer_no: &str,
    subject: &str,
    cause: &EventEnvelope,
) -> Result<Applied, WriteError> {
    match messages.save_subject_once(cause, customer_no, subject).await {
        Err(WriteError::Conflict) => Ok(Applied::AlreadyDone),
        other => other,
    }
}

/// Why messages are not shown.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// Another customer's messages (403).
    #[error("customerNo must be your own")]
    NotYours,
    /// The customer is not known (yet) (404).
    #[error("customer {0} is not known (yet)")]
    UnknownCustomer(String),
    /// Paging failed.
    #[error(transparent)]
    Page(#[from] PageError),
}

/// One page of the messages of `customer_no`, for the caller `subject` (their own) or the
/// insurance manager (`manager`).
///
/// # Errors
/// [`ListError`].
pub async fn list(
    messages: &impl Messages,
    customer_no: &str,
    (subject, manager): (&str, bool),
    page: &PageRequest,
) -> Result<Page<Message>, ListError> {
    if !manager {
        match messages.subject_of(customer_no).await.map_err(PageError::Storage)? {
            None => return Err(ListError::UnknownCustomer(customer_no.to_owned())),
            Some(owner) if owner != subject => return Err(ListError::NotYours),
            Some(_) => {}
        }
    }
    Ok(messages.of_customer(customer_no, page).await?)
}
