//! Promotion's use cases: [`grant`] on `PaymentApproved` and [`revoke`] on
//! `PaymentCancelled`, each reading, deciding with the [`crate::domain`] and writing the change
//! with its events and the inbox item in one transaction, again when a concurrent writer won.

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::retry::{Conflict, on_conflict};

use crate::domain::{ApprovedPayment, Ledger, PaymentId, Promotion, PromotionId};
use crate::ports::Promotions;

/// What a use case did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A promotion was granted now (`PromotionGranted`).
    Granted,
    /// A promotion was revoked now (`PromotionRevoked`).
    Revoked,
    /// The refund came first: a tombstone now stops a late grant.
    Tombstoned,
    /// Nothing to do: a repeat, a grant after a tombstone, or a second revoke.
    Nothing,
}

/// Why a use case did not apply; the event is retried.
#[derive(Debug, thiserror::Error)]
pub enum PromotionError {
    /// Concurrent writers kept winning.
    #[error("the payment's promotion kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for PromotionError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for PromotionError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

fn once(applied: Applied, done: Outcome) -> Outcome {
    match applied {
        Applied::Now => done,
        Applied::AlreadyDone => Outcome::Nothing,
    }
}

/// Grants the promotion `paid` earns, once per payment (event `cause`: `PaymentApproved`):
/// nothing when the payment has a promotion or a tombstone already.
///
/// # Errors
/// [`PromotionError`].
#[tracing::instrument(skip_all, fields(correlation_id = %paid.reservation_id))]
pub async fn grant(
    promotions: &impl Promotions,
    paid: &ApprovedPayment,
    cause: &EventEnvelope,
) -> Result<Outcome, PromotionError> {
    let outcome = on_conflict(|| async {
        if promotions.find(&paid.payment_id).await.map_err(PromotionError::Storage)?.is_some() {
            return Ok(Outcome::Nothing);
        }
        let (promotion, events) = Promotion::grant(PromotionId::generate(), paid.clone());
        Ok::<_, PromotionError>(once(promotions.save_once(cause, &promotion, None, &events).await?, Outcome::Granted))
    })
    .await?;
    if outcome == Outcome::Granted {
        platform::metrics::count("PromotionsGranted", 1);
        platform::metrics::count("PointsGranted", paid.amount.get() / 10);
    }
    Ok(outcome)
}

/// Revokes the promotion of `payment`, once (event `cause`: `PaymentCancelled`); a payment
/// promotion has not seen yet gets a tombstone, so its late approval grants nothing.
///
/// # Errors
/// [`PromotionError`].
#[tracing::instrument(skip_all, fields(payment_id = %payment))]
pub async fn revoke(
    promotions: &impl Promotions,
    payment: &PaymentId,
    cause: &EventEnvelope,
) -> Result<Outcome, PromotionError> {
    let outcome = on_conflict(|| async {
        let done = match promotions.find(payment).await.map_err(PromotionError::Storage)? {
            None => once(promotions.tombstone(cause, payment).await?, Outcome::Tombstoned),
            Some(Ledger::Tombstone) => Outcome::Nothing,
            Some(Ledger::Promoted(promotion)) => match promotion.revoke() {
                None => Outcome::Nothing,
                Some((revoked, events)) => once(
                    promotions.save_once(cause, &revoked, Some(promotion.version), &events).await?,
                    Outcome::Revoked,
                ),
            },
        };
        Ok::<_, PromotionError>(done)
    })
    .await?;
    if outcome == Outcome::Revoked {
        platform::metrics::count("PromotionsRevoked", 1);
    }
    Ok(outcome)
}
