//! What the my page needs from storage. [`crate::store::DynamoMyPages`] implements it.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;

use crate::domain::MyPage;

/// The pages, one per customer.
pub trait MyPages {
    /// The page of `customer` (an empty one at version 0 when none is stored).
    ///
    /// # Errors
    /// When storage fails.
    fn find(&self, customer: &str) -> impl Future<Output = anyhow::Result<MyPage>> + Send;

    /// Stores `page` of `customer` if the stored one is still at `expected_version` (0: none),
    /// with the inbox item of `cause`, once; `page` `None` marks `cause` handled only.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs.
    fn save_once(
        &self,
        cause: &EventEnvelope,
        customer: &str,
        page: Option<&MyPage>,
        expected_version: u64,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}
