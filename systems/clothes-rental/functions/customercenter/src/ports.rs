//! What the my-page use cases need from storage: one narrow trait. No AWS type crosses it;
//! [`crate::store::DynamoMyPages`] implements it on DynamoDB, the tests in memory.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::{CustomerId, MyPage, OrderId};

/// The my-page rows.
pub trait MyPages {
    /// The row of `order`, read consistently; `None` when the my page has not heard of it.
    ///
    /// # Errors
    /// When storage fails or the row does not read back.
    fn find(&self, order: &OrderId) -> impl Future<Output = anyhow::Result<Option<MyPage>>> + Send;

    /// Stores `row` if the stored one is still at `expected_version` (0: there is none), with
    /// the inbox item of `cause`, in one transaction.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs (read and apply again). A
    /// repeat of `cause` is no error: [`Applied::AlreadyDone`], nothing written.
    fn save_once(
        &self,
        row: &MyPage,
        expected_version: u64,
        cause: &EventEnvelope,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// One `page` of `customer`'s listed rows (their `OrderPlaced` arrived), newest order first.
    ///
    /// # Errors
    /// [`PageError::InvalidCursor`] for a cursor of another list; [`PageError::Storage`].
    fn of_customer(
        &self,
        customer: &CustomerId,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<MyPage>, PageError>> + Send;
}
