//! What promotion's use cases need from storage: one narrow trait. No AWS type crosses it;
//! [`crate::store::DynamoPromotions`] implements it on DynamoDB, the tests in memory.
//!
//! Every write is given the consumed event `cause` and stores the consumer's inbox item in
//! the same transaction: [`Applied::AlreadyDone`] when `cause` was handled before.
//! [`WriteError::Conflict`] when a condition failed (nothing was written; read again).

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;

use crate::domain::{Ledger, PaymentId, Promotion, PromotionEvent};

/// The promotions, one entry per payment.
pub trait Promotions {
    /// What promotion knows about `payment`; `None` when nothing.
    ///
    /// # Errors
    /// When storage fails or the entry does not read back.
    fn find(&self, payment: &PaymentId) -> impl Future<Output = anyhow::Result<Option<Ledger>>> + Send;

    /// Stores a promotion: a new one (`expected_version` `None`, the payment's first entry)
    /// or a change (`Some(version)` stored now), with `events` and the inbox item of `cause`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the entry exists already, or its version differs.
    fn save_once(
        &self,
        cause: &EventEnvelope,
        promotion: &Promotion,
        expected_version: Option<u64>,
        events: &[PromotionEvent],
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// Records a tombstone for `payment`, with the inbox item of `cause`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the payment has an entry already.
    fn tombstone(
        &self,
        cause: &EventEnvelope,
        payment: &PaymentId,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}
