//! What alarm needs from storage. [`crate::store::DynamoMessages`] implements it.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::Message;

/// The messages and who each customer is.
pub trait Messages {
    /// Stores and sends `message` (its item and its outbox publication) with the inbox item of
    /// `cause`, once.
    ///
    /// # Errors
    /// When storage fails (the event is retried).
    fn send_once(
        &self,
        cause: &EventEnvelope,
        message: &Message,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// One page of the messages of `customer_no`, newest first.
    ///
    /// # Errors
    /// [`PageError`].
    fn of_customer(
        &self,
        customer_no: &str,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Message>, PageError>> + Send;

    /// The token `sub` that acts as customer `customer_no`.
    ///
    /// # Errors
    /// When storage fails.
    fn subject_of(&self, customer_no: &str) -> impl Future<Output = anyhow::Result<Option<String>>> + Send;

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
