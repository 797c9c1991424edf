//! Payment's use cases: [`pay`] (the synchronous call), and [`give_back`] (cancel on
//! `ProposalWithdrawn`), each reading, deciding with the
//! [`crate::domain`], and writing the change with its events in one transaction, again when a
//! concurrent writer won ([`on_conflict`]).

use chrono::Utc;
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::retry::{Conflict, on_conflict};

use crate::domain::{CustomerNo, Ledger, PayOrder, Payment, PaymentId, ProposalNo, ZeroAmount, answer_for};
use crate::ports::Payments;

/// Payment's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paid {
    /// Approved (now, or before: the same payment).
    Approved(PaymentId),
    /// Refused: the proposal was cancelled (tombstone) or its payment canceled.
    Refused,
}

/// Why pay did not answer; nothing changed and the caller sees a failure.
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    /// An amount of 0.
    #[error(transparent)]
    Zero(#[from] ZeroAmount),
    /// Concurrent writers kept winning.
    #[error("the proposal's payment kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for PayError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for PayError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Pays `order` (its amount for its proposal), idempotent by proposal: the first call approves
/// (with `PayApproved`, in the same transaction), a repeat answers the same payment; an
/// proposal with a tombstone or a cancelled payment is refused (the tombstone's condition is
/// checked inside the approving transaction, so a late call never charges).
///
/// # Errors
/// [`PayError`].
#[tracing::instrument(skip_all, fields(correlation_id = %order.proposal_no))]
pub async fn pay(payments: &impl Payments, order: &PayOrder) -> Result<Paid, PayError> {
    let proposal = &order.proposal_no;
    let paid = on_conflict(|| {
        Box::pin(async {
            if let Some(known) = payments.find(proposal).await.map_err(PayError::Storage)? {
                return Ok(answer_for(&known).map_or(Paid::Refused, Paid::Approved));
            }
            let (payment, events) = Payment::approve(PaymentId::generate(), order.clone(), Utc::now())?;
            payments.approve(&payment, &events).await?;
            platform::metrics::count("PaymentsApproved", 1);
            platform::metrics::count("ApprovedWon", order.amount.get());
            Ok::<_, PayError>(Paid::Approved(payment.id))
        })
    })
    .await?;
    tracing::info!(?paid, "pay answered");
    Ok(paid)
}

/// What [`give_back`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GivenBack {
    /// The payment was cancelled now (`PayCancelled`).
    Cancelled,
    /// No payment existed: a tombstone now refuses the late one.
    Tombstoned,
    /// Nothing to do (cancelled already, tombstone already, or a repeat of the event).
    Nothing,
}

/// Why [`give_back`] did not apply; the event is retried.
#[derive(Debug, thiserror::Error)]
pub enum GiveBackError {
    /// Concurrent writers kept winning.
    #[error("the proposal's payment kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for GiveBackError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for GiveBackError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Gives back the payment of `proposal` (event `cause`: `ProposalWithdrawn`), once: an approved payment is cancelled (`PayCancelled`);
/// a proposal without a payment gets a tombstone, so a late `Pay` is refused.
///
/// # Errors
/// [`GiveBackError`].
#[tracing::instrument(skip_all, fields(correlation_id = %proposal))]
pub async fn give_back(
    payments: &impl Payments,
    proposal: &ProposalNo,
    customer: &CustomerNo,
    cause: &EventEnvelope,
) -> Result<GivenBack, GiveBackError> {
    on_conflict(|| async {
        let applied = match payments.find(proposal).await.map_err(GiveBackError::Storage)? {
            None => (payments.tombstone(cause, proposal, customer).await?, GivenBack::Tombstoned),
            Some(Ledger::Tombstone) => return Ok(GivenBack::Nothing),
            Some(Ledger::Paid(payment)) => match payment.cancel(Utc::now()) {
                None => return Ok(GivenBack::Nothing),
                Some((cancelled, events)) => {
                    (payments.save_once(cause, &cancelled, payment.version, &events).await?, GivenBack::Cancelled)
                }
            },
        };
        Ok::<_, GiveBackError>(match applied {
            (Applied::Now, done) => {
                if done == GivenBack::Cancelled {
                    platform::metrics::count("PaymentsCancelled", 1);
                }
                done
            }
            (Applied::AlreadyDone, _) => GivenBack::Nothing,
        })
    })
    .await
}
