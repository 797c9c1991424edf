//! How each event moves a my page [`Row`] (내보험). No I/O.
//!
//! A row is one (customer, plan). Its `progress` follows the plan, then its proposal:
//! `Designed` (가입설계) -> `DescriptionIssued` (상품설명서생성완료) -> `Submitted` (청약) ->
//! `Contracted` (계약성립) -> `Withdrawn` (청약철회). Events may come late, twice or out of order:
//! an event never moves a row backwards (a newer plan version restarts the plan part only while
//! no proposal exists; a new proposal replaces a withdrawn one), and a repeat changes nothing.

use chrono::{DateTime, NaiveDate, Utc};
use platform::Won;
use serde::{Deserialize, Serialize};

/// Where a row is, with its Korean label ([`Progress::label`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, strum::EnumString, strum::Display,
)]
pub enum Progress {
    /// 가입설계.
    Designed,
    /// 상품설명서생성완료.
    DescriptionIssued,
    /// 청약.
    Submitted,
    /// 계약성립.
    Contracted,
    /// 청약철회.
    Withdrawn,
}

impl Progress {
    /// The Korean label the original's my page showed.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Designed => "가입설계",
            Self::DescriptionIssued => "상품설명서생성완료",
            Self::Submitted => "청약",
            Self::Contracted => "계약성립",
            Self::Withdrawn => "청약철회",
        }
    }
}

/// Whether the first premium stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum PaymentState {
    /// Paid (결제승인).
    Approved,
    /// Cancelled after a withdrawal (결제취소).
    Cancelled,
}

/// One row of a customer's my page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// The customer.
    pub customer_no: String,
    /// The plan.
    pub plan_no: String,
    /// The plan version the row shows.
    pub plan_version: u64,
    /// The product's name.
    pub product_name: String,
    /// Sum insured, won (0 until `PlanSaved` arrives).
    pub sum_insured: Won,
    /// Monthly premium, won (0 until `PlanSaved` arrives).
    pub monthly_premium: Won,
    /// Where it is.
    pub progress: Progress,
    /// When the plan version's description was issued.
    pub description_issued_on: Option<NaiveDate>,
    /// The plan's proposal, once one was submitted.
    pub proposal_no: Option<String>,
    /// The first premium paid, won.
    pub paid_amount: Option<Won>,
    /// Whether that payment stands.
    pub payment: Option<PaymentState>,
    /// The last event applied (`eventType`).
    pub last_event: String,
    /// When that event happened (`chgDtm`).
    pub changed_at: DateTime<Utc>,
    /// Optimistic-concurrency counter: 1 when created, +1 per change.
    pub revision: u64,
}

/// An event the my page follows, in domain terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `PlanSaved`.
    PlanSaved {
        /// Version.
        version: u64,
        /// Product name.
        product_name: String,
        /// Sum insured.
        sum_insured: Won,
        /// Monthly premium.
        monthly_premium: Won,
    },
    /// `ProductDescriptionIssued`.
    DescriptionIssued {
        /// The plan version described.
        plan_version: u64,
        /// Product name.
        product_name: String,
        /// Day issued (Asia/Seoul).
        issued_on: NaiveDate,
    },
    /// `ProposalSubmitted`.
    ProposalSubmitted {
        /// The proposal.
        proposal_no: String,
        /// Product name.
        product_name: String,
    },
    /// `PayApproved`.
    PayApproved {
        /// The proposal.
        proposal_no: String,
        /// Paid.
        amount: Won,
    },
    /// `ContractConcluded`.
    ContractConcluded {
        /// The proposal.
        proposal_no: String,
        /// Paid.
        amount: Won,
    },
    /// `ProposalWithdrawn`.
    ProposalWithdrawn {
        /// The proposal.
        proposal_no: String,
    },
    /// `PayCancelled`.
    PayCancelled {
        /// The proposal.
        proposal_no: String,
    },
}

impl Change {
    /// The event type it came from.
    pub const fn event_type(&self) -> &'static str {
        match self {
            Self::PlanSaved { .. } => "PlanSaved",
            Self::DescriptionIssued { .. } => "ProductDescriptionIssued",
            Self::ProposalSubmitted { .. } => "ProposalSubmitted",
            Self::PayApproved { .. } => "PayApproved",
            Self::ContractConcluded { .. } => "ContractConcluded",
            Self::ProposalWithdrawn { .. } => "ProposalWithdrawn",
            Self::PayCancelled { .. } => "PayCancelled",
        }
    }
}

fn empty(customer_no: &str, plan_no: &str, at: DateTime<Utc>) -> Row {
    Row {
        customer_no: customer_no.to_owned(),
        plan_no: plan_no.to_owned(),
        plan_version: 0,
        product_name: String::new(),
        sum_insured: Won::ZERO,
        monthly_premium: Won::ZERO,
        progress: Progress::Designed,
        description_issued_on: None,
        proposal_no: None,
        paid_amount: None,
        payment: None,
        last_event: String::new(),
        changed_at: at,
        revision: 0,
    }
}

/// Whether a proposal event about `proposal` concerns the row: its own proposal, or a new one
/// replacing none or a withdrawn one.
fn about(row: &Row, proposal: &str) -> bool {
    match &row.proposal_no {
        None => true,
        Some(own) => own == proposal || row.progress == Progress::Withdrawn,
    }
}

/// The row of (`customer_no`, `plan_no`) after `change` at `at`, from `stored` (`None`: no row
/// yet); `None` when the change changes nothing (a repeat, stale or another proposal's).
pub fn apply(
    stored: Option<&Row>,
    (customer_no, plan_no): (&str, &str),
    change: &Change,
    at: DateTime<Utc>,
) -> Option<Row> {
    let base = stored.cloned().unwrap_or_else(|| empty(customer_no, plan_no, at));
    let mut row = base.clone();
    match change {
        Change::PlanSaved { version, product_name, sum_insured, monthly_premium } => {
            if *version < row.plan_version || (*version == row.plan_version && row.sum_insured != Won::ZERO) {
                return None;
            }
            if *version > row.plan_version && row.progress <= Progress::DescriptionIssued {
                row.progress = Progress::Designed;
                row.description_issued_on = None;
            }
            row.plan_version = *version;
            row.product_name.clone_from(product_name);
            (row.sum_insured, row.monthly_premium) = (*sum_insured, *monthly_premium);
        }
        Change::DescriptionIssued { plan_version, product_name, issued_on }
            if row.progress > Progress::DescriptionIssued =>
        {
            // A proposal on the plan arrived first (events of different topics reach the
            // consumer in any order): keep its progress and note the description once, if it is
            // of the row's version (or of the only version seen so far).
            if row.description_issued_on.is_some() || row.plan_version != 0 && *plan_version != row.plan_version {
                return None;
            }
            row.plan_version = *plan_version;
            if row.product_name.is_empty() {
                row.product_name.clone_from(product_name);
            }
            row.description_issued_on = Some(*issued_on);
        }
        Change::DescriptionIssued { plan_version, product_name, issued_on } => {
            if *plan_version < row.plan_version
                || row.progress >= Progress::DescriptionIssued && *plan_version == row.plan_version
            {
                return None;
            }
            if row.progress > Progress::DescriptionIssued {
                return None;
            }
            if *plan_version > row.plan_version {
                row.plan_version = *plan_version;
                (row.sum_insured, row.monthly_premium) = (Won::ZERO, Won::ZERO);
            }
            if row.product_name.is_empty() {
                row.product_name.clone_from(product_name);
            }
            row.progress = Progress::DescriptionIssued;
            row.description_issued_on = Some(*issued_on);
        }
        Change::ProposalSubmitted { proposal_no, product_name } => {
            if !about(&row, proposal_no)
                || row.proposal_no.as_ref() == Some(proposal_no) && row.progress >= Progress::Submitted
            {
                return None;
            }
            if row.proposal_no.as_ref() != Some(proposal_no) {
                (row.paid_amount, row.payment) = (None, None);
            }
            row.proposal_no = Some(proposal_no.clone());
            if row.product_name.is_empty() {
                row.product_name.clone_from(product_name);
            }
            row.progress = Progress::Submitted;
        }
        Change::PayApproved { proposal_no, amount } | Change::ContractConcluded { proposal_no, amount } => {
            if !about(&row, proposal_no) {
                return None;
            }
            row.proposal_no = Some(proposal_no.clone());
            row.paid_amount = Some(*amount);
            if row.payment.is_none() {
                row.payment = Some(PaymentState::Approved);
            }
            if matches!(change, Change::ContractConcluded { .. }) && row.progress < Progress::Contracted {
                row.progress = Progress::Contracted;
            }
        }
        Change::ProposalWithdrawn { proposal_no } => {
            if !about(&row, proposal_no)
                || row.proposal_no.as_ref() == Some(proposal_no) && row.progress == Progress::Withdrawn
            {
                return None;
            }
            row.proposal_no = Some(proposal_no.clone());
            row.progress = Progress::Withdrawn;
        }
        Change::PayCancelled { proposal_no } => {
            if !about(&row, proposal_no) {
                return None;
            }
            row.proposal_no = Some(proposal_no.clone());
            row.payment = Some(PaymentState::Cancelled);
        }
    }
    if row == base {
        return None;
    }
    row.last_event = change.event_type().to_owned();
    row.changed_at = at;
    row.revision = base.revision + 1;
    Some(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        "2026-11-22T01:00:00Z".parse().unwrap()
    }

    fn saved(version: u64) -> Change {
        Change::PlanSaved {
            version,
            product_name: "(무)재해사망보장".into(),
            sum_insured: Won::new(50_000_000),
            monthly_premium: Won::new(80_000),
        }
    }

    fn issued(version: u64) -> Change {
        Change::DescriptionIssued {
            plan_version: version,
            product_name: "(무)재해사망보장".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        }
    }

    const KEY: (&str, &str) = ("000000002", "20261122000000");

    fn run(changes: &[Change]) -> Row {
        changes.iter().fold(None, |row: Option<Row>, c| apply(row.as_ref(), KEY, c, at()).or(row)).unwrap()
    }

    #[test]
    fn the_scenario_moves_a_row_through_every_progress_with_its_korean_label() {
        let p = "20261122000001".to_owned();
        let row = run(&[saved(1)]);
        assert_eq!((row.progress.label(), row.monthly_premium), ("가입설계", Won::new(80_000)));
        let row = run(&[saved(1), issued(1)]);
        assert_eq!(row.progress.label(), "상품설명서생성완료");
        let flow = [
            saved(1),
            issued(1),
            Change::ProposalSubmitted { proposal_no: p.clone(), product_name: "x".into() },
            Change::PayApproved { proposal_no: p.clone(), amount: Won::new(80_000) },
            Change::ContractConcluded { proposal_no: p.clone(), amount: Won::new(80_000) },
        ];
        let row = run(&flow);
        assert_eq!(
            (row.progress, row.paid_amount, row.last_event.as_str()),
            (Progress::Contracted, Some(Won::new(80_000)), "ContractConcluded")
        );
        let mut all = flow.to_vec();
        all.extend([Change::ProposalWithdrawn { proposal_no: p.clone() }, Change::PayCancelled { proposal_no: p }]);
        let row = run(&all);
        assert_eq!((row.progress.label(), row.payment), ("청약철회", Some(PaymentState::Cancelled)));
    }

    #[test]
    fn reordered_and_repeated_events_end_in_the_same_row_and_never_move_it_back() {
        let p = "20261122000001".to_owned();
        let flow = vec![
            saved(1),
            issued(1),
            Change::ProposalSubmitted { proposal_no: p.clone(), product_name: "(무)재해사망보장".into() },
            Change::ContractConcluded { proposal_no: p.clone(), amount: Won::new(80_000) },
            Change::PayApproved { proposal_no: p.clone(), amount: Won::new(80_000) },
        ];
        let in_order = run(&flow);
        let mut reversed = flow.clone();
        reversed.reverse();
        let out_of_order = run(&reversed);
        assert_eq!(
            (out_of_order.progress, out_of_order.paid_amount, out_of_order.monthly_premium),
            (in_order.progress, in_order.paid_amount, in_order.monthly_premium)
        );
        assert_eq!(apply(Some(&in_order), KEY, &flow[2], at()), None, "a repeat changes nothing");
        assert_eq!(apply(Some(&in_order), KEY, &saved(1), at()), None);
        assert_eq!(apply(Some(&in_order), KEY, &issued(1), at()), None, "no step back from Contracted");
        let changed = apply(Some(&run(&[saved(1), issued(1)])), KEY, &saved(2), at()).unwrap();
        assert_eq!(
            (changed.progress, changed.description_issued_on),
            (Progress::Designed, None),
            "a change needs a new description"
        );
        assert_eq!(apply(Some(&changed), KEY, &issued(1), at()), None, "the old version's description is stale");
    }

    /// Every order of one contract's five events (a stopped consumer catching up takes them as
    /// they come) ends in the row the spec's order gives.
    #[test]
    fn every_order_of_a_contracts_events_ends_in_the_same_row() {
        let p = "20261122000001".to_owned();
        let flow = vec![
            saved(1),
            issued(1),
            Change::ProposalSubmitted { proposal_no: p.clone(), product_name: "(무)재해사망보장".into() },
            Change::PayApproved { proposal_no: p.clone(), amount: Won::new(80_000) },
            Change::ContractConcluded { proposal_no: p, amount: Won::new(80_000) },
        ];
        let content = |row: &Row| {
            (
                row.plan_version,
                row.product_name.clone(),
                row.sum_insured,
                row.monthly_premium,
                row.progress,
                row.description_issued_on,
                row.proposal_no.clone(),
                row.paid_amount,
                row.payment,
            )
        };
        let expected = content(&run(&flow));
        let mut orders: Vec<Vec<usize>> = vec![vec![]];
        for _ in 0..flow.len() {
            let mut longer = Vec::new();
            for order in &orders {
                for next in (0..flow.len()).filter(|i| !order.contains(i)) {
                    longer.push([order.clone(), vec![next]].concat());
                }
            }
            orders = longer;
        }
        assert_eq!(orders.len(), 120);
        for order in orders {
            let changes: Vec<Change> = order.iter().map(|&i| flow[i].clone()).collect();
            assert_eq!(content(&run(&changes)), expected, "in the order {order:?}");
        }
    }
}
