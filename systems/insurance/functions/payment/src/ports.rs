//! What pay's use cases need from storage: one narrow trait. No AWS type crosses it;
//! [`crate::store::DynamoPayments`] implements it on DynamoDB, the tests in memory.
//!
//! Error contract of every write: [`WriteError::Conflict`] when a condition failed (another
//! writer got there first; nothing was written; read again and decide again),
//! [`WriteError::Storage`] otherwise. A write given a consumed event stores the consumer's
//! inbox item in the same transaction: [`Applied::AlreadyDone`] when it was handled before.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;

use crate::domain::{CustomerNo, Ledger, Payment, PaymentEvent, ProposalNo};

/// The payment history, one entry per proposal.
pub trait Payments {
    /// What pay knows about `proposal`; `None` when nothing.
    ///
    /// # Errors
    /// When storage fails or the entry does not read back.
    fn find(&self, proposal: &ProposalNo) -> impl Future<Output = anyhow::Result<Option<Ledger>>> + Send;

    /// Stores a new payment (its proposal's first entry) with `events`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the proposal has an entry already (a tombstone, or a
    /// concurrent `Pay` of the same proposal).
    fn approve(
        &self,
        payment: &Payment,
        events: &[PaymentEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a changed payment if still at `expected_version`, with `events` and the inbox
    /// item of `cause`, once.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs.
    fn save_once(
        &self,
        cause: &EventEnvelope,
        payment: &Payment,
        expected_version: u64,
        events: &[PaymentEvent],
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// Records a tombstone for `proposal` (of `customer`), with the inbox item of `cause`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the proposal has an entry already (its payment was just made).
    fn tombstone(
        &self,
        cause: &EventEnvelope,
        proposal: &ProposalNo,
        customer: &CustomerNo,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}
