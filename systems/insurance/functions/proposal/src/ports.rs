//! What proposal's use cases need: storage ([`PlanCopies`], [`Proposals`]) and payment
//! ([`Pay`]). No AWS type crosses them; [`crate::store::DynamoProposals`] and
//! [`crate::calls::PayCall`] implement them, the tests in memory.
//!
//! Error contract of every write: [`WriteError::Conflict`] when a condition failed (a live
//! proposal exists for the plan, a key was used, another writer first; nothing was written),
//! [`WriteError::Storage`] otherwise. A write given a consumed event stores the consumer's inbox
//! item in the same transaction: [`Applied::AlreadyDone`] when it was handled before.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;

use crate::domain::{Account, PaymentId, PlanCopy, Proposal, ProposalEvent, ProposalNo};

/// Proposal's copies of the plans.
pub trait PlanCopies {
    /// The copy of plan `plan_no`; `None` when no event told of it yet.
    ///
    /// # Errors
    /// When storage fails.
    fn find_copy(&self, plan_no: &str) -> impl Future<Output = anyhow::Result<Option<PlanCopy>>> + Send;

    /// Stores `copy` if the stored one is still at revision `expected` (0: none stored), with
    /// the inbox item of `cause`, once.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored copy changed meanwhile.
    fn save_copy_once(
        &self,
        cause: &EventEnvelope,
        copy: &PlanCopy,
        expected: u64,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}

/// The proposals.
pub trait Proposals {
    /// Proposal `no`; `None` when unknown.
    ///
    /// # Errors
    /// When storage fails or the item does not read back.
    fn find(&self, no: &ProposalNo) -> impl Future<Output = anyhow::Result<Option<Proposal>>> + Send;

    /// The first answer `subject` got under `key`, if any.
    ///
    /// # Errors
    /// When storage fails.
    fn find_idempotency(
        &self,
        subject: &str,
        key: &IdempotencyKey,
    ) -> impl Future<Output = anyhow::Result<Option<IdempotencyRecord>>> + Send;

    /// Stores a new proposal with its plan's live-proposal lock (only if free), its `events`
    /// and, when given, the first answer under a key (new), all or nothing.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the plan has a live proposal or the key was used.
    fn submit(
        &self,
        proposal: &Proposal,
        events: &[ProposalEvent],
        answer: Option<(&IdempotencyKey, &IdempotencyRecord)>,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a changed proposal if still at `expected_version`, with `events`; a `Withdrawn`
    /// one frees its plan's lock in the same transaction.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs.
    fn save(
        &self,
        proposal: &Proposal,
        expected_version: u64,
        events: &[ProposalEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a proposal changed by the event `cause` if still at `expected_version`, with
    /// `events` and the inbox item of `cause`, once.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs.
    fn save_once(
        &self,
        cause: &EventEnvelope,
        proposal: &Proposal,
        expected_version: u64,
        events: &[ProposalEvent],
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// Marks `cause` handled when it changes nothing here, so a repeat is known.
    ///
    /// # Errors
    /// When storage fails.
    fn skip_once(&self, cause: &EventEnvelope) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}

/// Payment's answer to a pay call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payment {
    /// Approved (now or before: the same payment).
    Approved(PaymentId),
    /// Refused: the proposal was withdrawn first, or its payment cancelled.
    Refused,
}

/// The synchronous payment (through the shared breaker, with a timeout).
pub trait Pay {
    /// Pays the first premium of `proposal` from `account` (idempotent by proposal number).
    ///
    /// # Errors
    /// [`InvokeError`]: the breaker is open, the call timed out or failed.
    fn pay(&self, proposal: &Proposal, account: &Account) -> impl Future<Output = Result<Payment, InvokeError>> + Send;
}
