//! What the my page needs from storage. [`crate::store::DynamoMyPages`] implements it.
//!
//! Error contract of every write: [`WriteError::Conflict`] when the stored row changed meanwhile
//! (nothing was written), [`WriteError::Storage`] otherwise; each write stores the consumer's
//! inbox item in the same transaction: [`Applied::AlreadyDone`] when it was handled before.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::Row;

/// The rows and who each customer is.
pub trait MyPages {
    /// The row of (`customer_no`, `plan_no`); `None` when none yet.
    ///
    /// # Errors
    /// When storage fails.
    fn find(&self, customer_no: &str, plan_no: &str) -> impl Future<Output = anyhow::Result<Option<Row>>> + Send;

    /// One page of a customer's rows (`Some`), or of every row (`None`), newest change first.
    ///
    /// # Errors
    /// [`PageError`].
    fn rows(
        &self,
        customer_no: Option<&str>,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Row>, PageError>> + Send;

    /// The token `sub` that acts as customer `customer_no`, as `CustomerRegistered` told it.
    ///
    /// # Errors
    /// When storage fails.
    fn subject_of(&self, customer_no: &str) -> impl Future<Output = anyhow::Result<Option<String>>> + Send;

    /// Stores `row` (new when its revision is 1, else replacing revision - 1), or nothing when
    /// `None`, with the inbox item of `cause`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored row changed meanwhile.
    fn save_once(
        &self,
        cause: &EventEnvelope,
        row: Option<&Row>,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// Stores who customer `customer_no` is (only if new), with the inbox item of `cause`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when it was stored already.
    fn save_subject_once(
        &self,
        cause: &EventEnvelope,
        customer_no: &str,
        subject: &str,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}
