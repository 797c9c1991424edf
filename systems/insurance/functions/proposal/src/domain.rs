//! Proposal's rules: the [`Proposal`] aggregate (청약) and the [`PlanCopy`] it keeps. No I/O.
//!
//! - A proposal is allowed only when the plan copy's `version` equals its issued description's
//!   `planVersion` ([`PlanCopy::applicable`]); `PlanSaved` and `ProductDescriptionIssued` may
//!   arrive in either order, and an older event never replaces newer knowledge.
//! - One live proposal per plan (checked by the store with a lock item per plan).
//! - `firstPremium` = one `monthlyPremium` (월납, the only cycle).
//! - Status: `Submitted` (청약) -> `Contracted` (계약성립: the first premium was paid);
//!   `Submitted` or `Contracted` -> `Withdrawn` (청약철회). A `PayApproved` that reaches a
//!   `Submitted` proposal (the pay call had timed out) concludes it as the command would.

use chrono::{DateTime, SubsecRound, Utc};
use platform::Won;
use serde::{Deserialize, Serialize};

/// A proposal number: 14 ASCII digits, random (the original's `prpsNo` looked like a timestamp,
/// which repeats under load); the proposal is written only if new.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProposalNo(String);

/// Text that is no 14-digit number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be 14 digits")]
pub struct NotANumber;

impl ProposalNo {
    /// Parses a proposal number.
    ///
    /// # Errors
    /// [`NotANumber`] unless `text` is 14 ASCII digits.
    pub fn parse(text: &str) -> Result<Self, NotANumber> {
        if text.len() == 14 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(text.to_owned()))
        } else {
            Err(NotANumber)
        }
    }

    /// A random number (uniform over 14 digits).
    pub fn random() -> Self {
        Self(format!("{:014}", uuid::Uuid::new_v4().as_u128() % 100_000_000_000_000))
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProposalNo {
    type Error = NotANumber;
    fn try_from(text: String) -> Result<Self, NotANumber> {
        Self::parse(&text)
    }
}

impl From<ProposalNo> for String {
    fn from(no: ProposalNo) -> Self {
        no.0
    }
}

impl std::fmt::Display for ProposalNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

platform::opaque_id!(
    /// Payment's id of the proposal's payment (opaque here).
    PaymentId
);

/// The account the first premium is paid from (the body of the pay command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// 3-digit bank code (`fininCd`).
    pub bank_code: String,
    /// Bank name, if given.
    pub bank_name: Option<String>,
    /// Account number, digits.
    pub account_no: String,
    /// Account holder.
    pub account_holder: String,
}

/// A plan's terms, as `PlanSaved` told them (the proposal keeps a snapshot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanTerms {
    /// The plan version these are.
    pub version: u64,
    /// The customer.
    pub customer_no: String,
    /// The token `sub` that acts as the customer.
    pub customer_subject: String,
    /// Their name.
    pub customer_name: String,
    /// The product.
    pub product_code: String,
    /// Its name.
    pub product_name: String,
    /// Years of cover.
    pub insurance_period_years: u32,
    /// Years of payment.
    pub payment_period_years: u32,
    /// `Monthly`.
    pub payment_cycle: String,
    /// Sum insured, won.
    pub sum_insured: Won,
    /// Monthly premium, won.
    pub monthly_premium: Won,
}

/// Proposal's copy of a plan: its latest terms and the newest version with an issued
/// description, each as far as events told them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanCopy {
    /// The plan.
    pub plan_no: String,
    /// The newest terms `PlanSaved` told, if any yet.
    pub latest: Option<PlanTerms>,
    /// The newest plan version whose description was issued, if any yet.
    pub issued_version: Option<u64>,
    /// Optimistic-concurrency counter of the copy: 1 when first stored, +1 per change.
    pub revision: u64,
}

impl PlanCopy {
    /// The copy after `PlanSaved` with `terms`; `None` when they are not newer (a repeat or an
    /// older version).
    pub fn saved(&self, terms: PlanTerms) -> Option<Self> {
        let newer = self.latest.as_ref().is_none_or(|t| terms.version > t.version);
        newer.then(|| Self { latest: Some(terms), revision: self.revision + 1, ..self.clone() })
    }

    /// The copy after `ProductDescriptionIssued` for `version`; `None` when it is not newer.
    pub fn issued(&self, version: u64) -> Option<Self> {
        let newer = self.issued_version.is_none_or(|v| version > v);
        newer.then(|| Self { issued_version: Some(version), revision: self.revision + 1, ..self.clone() })
    }

    /// The terms a proposal may be made from: the latest, when its version's description was
    /// issued.
    ///
    /// # Errors
    /// [`NotApplicable`].
    pub fn applicable(&self) -> Result<&PlanTerms, NotApplicable> {
        match (&self.latest, self.issued_version) {
            (None, _) => Err(NotApplicable::UnknownPlan),
            (Some(terms), Some(issued)) if issued == terms.version => Ok(terms),
            (Some(_), _) => Err(NotApplicable::NoDescription),
        }
    }
}

/// Why no proposal can be made from a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotApplicable {
    /// No `PlanSaved` reached proposal yet (404).
    #[error("the plan is not known (yet)")]
    UnknownPlan,
    /// The plan's current version has no issued description (409).
    #[error("the plan's current version has no issued product description")]
    NoDescription,
}

/// Where a proposal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum ProposalStatus {
    /// Applied, not paid (청약).
    Submitted,
    /// The first premium was paid (계약성립).
    Contracted,
    /// Withdrawn by its customer (청약철회). The end.
    Withdrawn,
}

/// A proposal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// Its number.
    pub proposal_no: ProposalNo,
    /// Its plan.
    pub plan_no: String,
    /// The plan's terms when applied (a snapshot), with its version.
    pub terms: PlanTerms,
    /// One monthly premium, won.
    pub first_premium: Won,
    /// Where it is.
    pub status: ProposalStatus,
    /// Its payment, once paid.
    pub payment_id: Option<PaymentId>,
    /// When submitted.
    pub submitted_at: DateTime<Utc>,
    /// When contracted.
    pub contracted_at: Option<DateTime<Utc>>,
    /// When withdrawn.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version: 1 when submitted, +1 per change.
    pub version: u64,
}

/// What proposal publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposalEvent {
    /// `ProposalSubmitted`.
    Submitted(Proposal),
    /// `ContractConcluded`.
    Concluded(Proposal),
    /// `ProposalWithdrawn`.
    Withdrawn(Proposal),
}

/// The proposal was withdrawn: no payment, no second withdrawal (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the proposal was withdrawn")]
pub struct IsWithdrawn;

impl Proposal {
    /// Submits a proposal from `copy` at `now`: `Submitted`, first premium = one monthly
    /// premium; says `ProposalSubmitted`.
    ///
    /// # Errors
    /// [`NotApplicable`].
    pub fn submit(
        proposal_no: ProposalNo,
        copy: &PlanCopy,
        now: DateTime<Utc>,
    ) -> Result<(Self, Vec<ProposalEvent>), NotApplicable> {
        let terms = copy.applicable()?.clone();
        let proposal = Self {
            proposal_no,
            plan_no: copy.plan_no.clone(),
            first_premium: terms.monthly_premium,
            terms,
            status: ProposalStatus::Submitted,
            payment_id: None,
            submitted_at: now.trunc_subsecs(3),
            contracted_at: None,
            withdrawn_at: None,
            version: 1,
        };
        Ok((proposal.clone(), vec![ProposalEvent::Submitted(proposal)]))
    }

    /// The first premium paid by `payment`: `Submitted` -> `Contracted`, saying
    /// `ContractConcluded`; `None` when contracted already.
    ///
    /// # Errors
    /// [`IsWithdrawn`].
    pub fn paid(
        &self,
        payment: PaymentId,
        now: DateTime<Utc>,
    ) -> Result<Option<(Self, Vec<ProposalEvent>)>, IsWithdrawn> {
        match self.status {
            ProposalStatus::Withdrawn => Err(IsWithdrawn),
            ProposalStatus::Contracted => Ok(None),
            ProposalStatus::Submitted => {
                let contracted = Self {
                    status: ProposalStatus::Contracted,
                    payment_id: Some(payment),
                    contracted_at: Some(now.trunc_subsecs(3)),
                    version: self.version + 1,
                    ..self.clone()
                };
                Ok(Some((contracted.clone(), vec![ProposalEvent::Concluded(contracted)])))
            }
        }
    }

    /// Withdraws (FR 10) from `Submitted` or `Contracted`; says `ProposalWithdrawn` (payment
    /// cancels by it). No time limit is enforced.
    ///
    /// # Errors
    /// [`IsWithdrawn`].
    pub fn withdraw(&self, now: DateTime<Utc>) -> Result<(Self, Vec<ProposalEvent>), IsWithdrawn> {
        if self.status == ProposalStatus::Withdrawn {
            return Err(IsWithdrawn);
        }
        let withdrawn = Self {
            status: ProposalStatus::Withdrawn,
            withdrawn_at: Some(now.trunc_subsecs(3)),
            version: self.version + 1,
            ..self.clone()
        };
        Ok((withdrawn.clone(), vec![ProposalEvent::Withdrawn(withdrawn)]))
    }

    /// A reconciling `PayApproved`: a `Submitted` proposal is concluded as the pay command would;
    /// `None` for any other (contracted already, or withdrawn: payment cancels that by event).
    pub fn reconcile(&self, payment: PaymentId, now: DateTime<Utc>) -> Option<(Self, Vec<ProposalEvent>)> {
        self.paid(payment, now).ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-22T01:00:00.123456Z".parse().unwrap()
    }

    fn terms(version: u64, premium: u64) -> PlanTerms {
        PlanTerms {
            version,
            customer_no: "000000002".into(),
            customer_subject: "auth0|y".into(),
            customer_name: "양건우".into(),
            product_code: "P00000005".into(),
            product_name: "(무)재해사망보장".into(),
            insurance_period_years: 20,
            payment_period_years: 20,
            payment_cycle: "Monthly".into(),
            sum_insured: Won::new(50_000_000),
            monthly_premium: Won::new(premium),
        }
    }

    fn copy() -> PlanCopy {
        PlanCopy { plan_no: "20261122000000".into(), ..PlanCopy::default() }
    }

    #[test]
    fn a_proposal_needs_the_description_of_the_current_version_whatever_the_order_of_events() {
        assert_eq!(copy().applicable(), Err(NotApplicable::UnknownPlan));
        let saved_first = copy().saved(terms(1, 80_000)).unwrap();
        assert_eq!(saved_first.applicable(), Err(NotApplicable::NoDescription));
        let both = saved_first.issued(1).unwrap();
        assert_eq!(both.applicable().unwrap().version, 1);
        let issued_first = copy().issued(1).unwrap();
        assert_eq!(issued_first.applicable(), Err(NotApplicable::UnknownPlan));
        let both_other_order = issued_first.saved(terms(1, 80_000)).unwrap();
        assert_eq!(both_other_order.applicable(), both.applicable());
        let changed = both.saved(terms(2, 96_000)).unwrap();
        assert_eq!(changed.applicable(), Err(NotApplicable::NoDescription), "a change needs a new description");
        assert_eq!(changed.saved(terms(1, 80_000)), None, "an older PlanSaved changes nothing");
        assert_eq!(changed.issued(1), None, "a repeat changes nothing");
    }

    #[test]
    fn the_first_premium_is_one_monthly_premium_and_the_terms_are_a_snapshot() {
        let copy = copy().saved(terms(1, 80_000)).unwrap().issued(1).unwrap();
        let (proposal, events) = Proposal::submit(ProposalNo::random(), &copy, now()).unwrap();
        assert_eq!((proposal.status, proposal.first_premium), (ProposalStatus::Submitted, Won::new(80_000)));
        assert_eq!(proposal.terms, terms(1, 80_000));
        assert_eq!(events, [ProposalEvent::Submitted(proposal)]);
        let no_description = PlanCopy { issued_version: None, ..copy };
        assert_eq!(Proposal::submit(ProposalNo::random(), &no_description, now()), Err(NotApplicable::NoDescription));
    }

    #[test]
    fn submitted_contracted_withdrawn_and_the_refusals() {
        let copy = copy().saved(terms(1, 80_000)).unwrap().issued(1).unwrap();
        let (submitted, _) = Proposal::submit(ProposalNo::random(), &copy, now()).unwrap();
        let payment = PaymentId::parse("p-1").unwrap();
        let (contracted, events) = submitted.paid(payment.clone(), now()).unwrap().unwrap();
        assert_eq!((contracted.status, contracted.version), (ProposalStatus::Contracted, 2));
        assert_eq!(events, [ProposalEvent::Concluded(contracted.clone())]);
        assert_eq!(contracted.paid(payment.clone(), now()), Ok(None), "paid again: the same contract");
        assert_eq!(contracted.reconcile(payment.clone(), now()), None);
        let (withdrawn, events) = contracted.withdraw(now()).unwrap();
        assert_eq!(
            (withdrawn.status, withdrawn.payment_id.clone()),
            (ProposalStatus::Withdrawn, Some(payment.clone()))
        );
        assert_eq!(events, [ProposalEvent::Withdrawn(withdrawn.clone())]);
        assert_eq!(withdrawn.withdraw(now()), Err(IsWithdrawn));
        assert_eq!(withdrawn.paid(payment.clone(), now()), Err(IsWithdrawn));
        assert_eq!(withdrawn.reconcile(payment.clone(), now()), None, "payment cancels it by event");
        let (from_submitted, _) = submitted.withdraw(now()).unwrap();
        assert_eq!(from_submitted.status, ProposalStatus::Withdrawn);
        let (reconciled, events) = submitted.reconcile(payment, now()).unwrap();
        assert_eq!(reconciled.status, ProposalStatus::Contracted);
        assert!(matches!(events[..], [ProposalEvent::Concluded(_)]));
    }
}
