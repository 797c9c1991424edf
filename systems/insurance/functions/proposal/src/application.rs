//! Proposal's use cases: [`submit`], [`get`], [`pay`] (the synchronous call), [`withdraw`], and
//! the reactions [`keep_plan`], [`description_issued`] and [`reconcile_paid`]. Each reads,
//! decides with the [`crate::domain`], and writes the change with its events in one
//! transaction, again when a concurrent writer won.

use chrono::Utc;
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::idempotency::{Fingerprint, IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;
use platform::retry::{Conflict, on_conflict};

use crate::domain::{
    Account, IsWithdrawn, NotApplicable, PaymentId, PlanCopy, PlanTerms, Proposal, ProposalNo, ProposalStatus,
};
use crate::ports::{Pay, Payment, PlanCopies, Proposals};

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// A customer (the token's `sub`): sees only their own proposals.
    Customer(String),
    /// The insurance manager: sees every proposal.
    Manager,
}

/// The command of `POST /proposals`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitProposal {
    /// The caller's token `sub`.
    pub subject: String,
    /// The client's idempotency key, if it sent one.
    pub key: Option<IdempotencyKey>,
    /// The plan.
    pub plan_no: String,
}

impl SubmitProposal {
    /// The request's meaning, to tell a replay from another request under the same key.
    pub fn fingerprint(&self) -> Fingerprint {
        platform::idempotency::fingerprint([self.subject.clone(), self.plan_no.clone()])
    }
}

/// A first answer as the edge renders it, remembered under the idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body (JSON).
    pub body: String,
}

/// What [`submit`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Submitted now.
    New(Box<Proposal>),
    /// The key was used before for this same request: its first answer.
    Replayed(IdempotencyRecord),
}

/// Why [`submit`] submitted nothing.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The plan is not known (yet), or another's (404).
    #[error("plan {0} is not known (yet)")]
    UnknownPlan(String),
    /// No issued description for the plan's current version (409).
    #[error("the plan's current version has no issued product description")]
    NoDescription,
    /// The plan has a live proposal (409).
    #[error("the plan has a live proposal already")]
    LiveProposal,
    /// The key was used before for a different request (422).
    #[error("this Idempotency-Key was already used for a different request")]
    KeyReused,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

fn replayed(record: IdempotencyRecord, fingerprint: &Fingerprint) -> Result<Submitted, SubmitError> {
    if &record.fingerprint != fingerprint {
        return Err(SubmitError::KeyReused);
    }
    Ok(Submitted::Replayed(record))
}

/// Applies (FR 8) from plan `plan_no` of the caller: the plan copy must be the caller's and its
/// current version's description issued; one live proposal per plan. The proposal, its lock,
/// `ProposalSubmitted` and the first answer (rendered by `answer`) are one transaction.
///
/// # Errors
/// [`SubmitError`]; nothing is written.
pub async fn submit<S: PlanCopies + Proposals>(
    store: &S,
    command: &SubmitProposal,
    answer: impl FnOnce(&Proposal) -> anyhow::Result<FirstAnswer>,
) -> Result<Submitted, SubmitError> {
    let fingerprint = command.fingerprint();
    if let Some(key) = &command.key
        && let Some(record) = store.find_idempotency(&command.subject, key).await?
    {
        return replayed(record, &fingerprint);
    }
    let unknown = || SubmitError::UnknownPlan(command.plan_no.clone());
    let copy = store.find_copy(&command.plan_no).await?.ok_or_else(unknown)?;
    if copy.latest.as_ref().is_some_and(|t| t.customer_subject != command.subject) {
        return Err(unknown());
    }
    let (proposal, events) = Proposal::submit(ProposalNo::random(), &copy, Utc::now()).map_err(|err| match err {
        NotApplicable::UnknownPlan => unknown(),
        NotApplicable::NoDescription => SubmitError::NoDescription,
    })?;
    let first = answer(&proposal)?;
    let record = IdempotencyRecord {
        fingerprint: fingerprint.clone(),
        resource_id: proposal.proposal_no.to_string(),
        status: first.status,
        response: first.body,
    };
    match store.submit(&proposal, &events, command.key.as_ref().map(|key| (key, &record))).await {
        Ok(()) => {
            platform::metrics::count("ProposalsSubmitted", 1);
            Ok(Submitted::New(Box::new(proposal)))
        }
        Err(WriteError::Storage(err)) => Err(SubmitError::Storage(err)),
        Err(WriteError::Conflict) => match &command.key {
            Some(key) => match store.find_idempotency(&command.subject, key).await? {
                Some(record) => replayed(record, &fingerprint),
                None => Err(SubmitError::LiveProposal),
            },
            None => Err(SubmitError::LiveProposal),
        },
    }
}

/// Why a proposal is not shown, paid or withdrawn.
#[derive(Debug, thiserror::Error)]
pub enum ProposalError {
    /// Unknown, or another customer's (404: nobody learns that it exists).
    #[error("no proposal {0}")]
    NotFound(ProposalNo),
    /// Withdrawn: no payment, no second withdrawal (409).
    #[error(transparent)]
    Withdrawn(#[from] IsWithdrawn),
    /// Payment cannot answer now (503 + `Retry-After`); the proposal stays `Submitted`.
    #[error("payment cannot answer")]
    PayUnavailable(#[source] InvokeError),
    /// Concurrent writers kept winning (409).
    #[error("the proposal kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for ProposalError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for ProposalError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Proposal `no` as `viewer` may see it.
///
/// # Errors
/// [`ProposalError::NotFound`] (also another customer's), storage.
pub async fn get(proposals: &impl Proposals, no: &ProposalNo, viewer: &Viewer) -> Result<Proposal, ProposalError> {
    match proposals.find(no).await? {
        Some(p)
            if matches!(viewer, Viewer::Manager)
                || matches!(viewer, Viewer::Customer(s) if *s == p.terms.customer_subject) =>
        {
            Ok(p)
        }
        _ => Err(ProposalError::NotFound(no.clone())),
    }
}

/// Pays the first premium of proposal `no` of the caller `subject` from `account` (FR 9): a
/// contracted one answers its payment again without a call; a withdrawn one is refused (409);
/// when payment cannot answer in time the proposal stays `Submitted` (503), and the late
/// approval reaches it by `PayApproved`.
///
/// # Errors
/// [`ProposalError`].
pub async fn pay(
    proposals: &impl Proposals,
    payment: &impl Pay,
    (no, subject): (&ProposalNo, &str),
    account: &Account,
) -> Result<Proposal, ProposalError> {
    let proposal = get(proposals, no, &Viewer::Customer(subject.to_owned())).await?;
    match proposal.status {
        ProposalStatus::Withdrawn => return Err(IsWithdrawn.into()),
        ProposalStatus::Contracted => return Ok(proposal),
        ProposalStatus::Submitted => {}
    }
    let payment_id = match payment.pay(&proposal, account).await.map_err(ProposalError::PayUnavailable)? {
        Payment::Approved(id) => id,
        Payment::Refused => return Err(IsWithdrawn.into()),
    };
    let contracted = on_conflict(|| async {
        let current = proposals.find(no).await?.ok_or_else(|| ProposalError::NotFound(no.clone()))?;
        match current.paid(payment_id.clone(), Utc::now())? {
            None => Ok::<_, ProposalError>(current),
            Some((contracted, events)) => {
                proposals.save(&contracted, current.version, &events).await?;
                platform::metrics::count("ContractsConcluded", 1);
                platform::metrics::count("FirstPremiumWon", contracted.first_premium.get());
                Ok(contracted)
            }
        }
    })
    .await?;
    Ok(contracted)
}

/// Withdraws proposal `no` of the caller `subject` (FR 10): `Withdrawn` with
/// `ProposalWithdrawn`, the plan's lock freed, in one transaction; payment cancels by event.
///
/// # Errors
/// [`ProposalError`].
pub async fn withdraw(proposals: &impl Proposals, no: &ProposalNo, subject: &str) -> Result<Proposal, ProposalError> {
    let withdrawn = on_conflict(|| async {
        let current = get(proposals, no, &Viewer::Customer(subject.to_owned())).await?;
        let (withdrawn, events) = current.withdraw(Utc::now())?;
        proposals.save(&withdrawn, current.version, &events).await?;
        Ok::<_, ProposalError>(withdrawn)
    })
    .await?;
    platform::metrics::count("ProposalsWithdrawn", 1);
    Ok(withdrawn)
}

/// What a reaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// Changed now.
    Changed,
    /// Nothing to change (a repeat, an older event, or a status it leaves alone).
    Nothing,
}

fn followed(applied: Applied) -> Followed {
    match applied {
        Applied::Now => Followed::Changed,
        Applied::AlreadyDone => Followed::Nothing,
    }
}

async fn change_copy(
    copies: &impl PlanCopies,
    plan_no: &str,
    cause: &EventEnvelope,
    change: impl Fn(&PlanCopy) -> Option<PlanCopy>,
) -> Result<Followed, ProposalError> {
    on_conflict(|| async {
        let stored = copies.find_copy(plan_no).await?;
        let base = stored.clone().unwrap_or_else(|| PlanCopy { plan_no: plan_no.to_owned(), ..PlanCopy::default() });
        let Some(next) = change(&base) else {
            return Ok(Followed::Nothing);
        };
        Ok::<_, ProposalError>(followed(copies.save_copy_once(cause, &next, base.revision).await?))
    })
    .await
}

/// Keeps the newest terms of plan `plan_no` (event `cause`: `PlanSaved`).
///
/// # Errors
/// [`ProposalError`] (retried).
pub async fn keep_plan(
    copies: &impl PlanCopies,
    plan_no: &str,
    terms: &PlanTerms,
    cause: &EventEnvelope,
) -> Result<Followed, ProposalError> {
    change_copy(copies, plan_no, cause, |copy| copy.saved(terms.clone())).await
}

/// Notes that plan `plan_no` version `version` has an issued description (event `cause`:
/// `ProductDescriptionIssued`).
///
/// # Errors
/// [`ProposalError`] (retried).
pub async fn description_issued(
    copies: &impl PlanCopies,
    plan_no: &str,
    version: u64,
    cause: &EventEnvelope,
) -> Result<Followed, ProposalError> {
    change_copy(copies, plan_no, cause, |copy| copy.issued(version)).await
}

/// `PayApproved` (event `cause`) reaches proposal `no`: a `Submitted` one is concluded
/// (`Contracted`, `ContractConcluded`: the pay call had timed out); any other is left alone.
///
/// # Errors
/// [`ProposalError`] (retried).
pub async fn reconcile_paid(
    proposals: &impl Proposals,
    no: &ProposalNo,
    payment: &PaymentId,
    cause: &EventEnvelope,
) -> Result<Followed, ProposalError> {
    let done = on_conflict(|| async {
        let Some(current) = proposals.find(no).await? else {
            tracing::warn!(proposal_no = %no, "a payment for an unknown proposal; acknowledged");
            return Ok(Followed::Nothing);
        };
        let applied = match current.reconcile(payment.clone(), Utc::now()) {
            Some((next, events)) => proposals.save_once(cause, &next, current.version, &events).await?,
            None => {
                proposals.skip_once(cause).await?;
                return Ok(Followed::Nothing);
            }
        };
        Ok::<_, ProposalError>(followed(applied))
    })
    .await?;
    if done == Followed::Changed {
        platform::metrics::count("PaymentsReconciled", 1);
        platform::metrics::count("ContractsConcluded", 1);
    }
    Ok(done)
}
