//! Plan's rules: the [`Plan`] aggregate (가입설계) and the [`CustomerCopy`] it keeps. No I/O.
//!
//! Status: `Designed` (가입설계) -> `DescriptionRequested` -> `DescriptionIssued`
//! (상품설명서생성완료). Saving a change returns the plan to `Designed` with `version + 1`, and
//! a new description is needed. A description issued for an older version changes nothing.
//! The age the quote uses is counted in full years on the plan date (Asia/Seoul).

use chrono::{DateTime, Datelike, NaiveDate, SubsecRound, Utc};
use platform::Won;
use serde::{Deserialize, Serialize};

/// A plan number: 14 ASCII digits (the original's `ppsdsnNo` looks like `yyyyMMddHHmmss`;
/// here it is random, so it never repeats under load; the plan is written only if new).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlanNo(String);

/// Text that is no plan number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be 14 digits")]
pub struct NotAPlanNo;

impl PlanNo {
    /// Parses a plan number.
    ///
    /// # Errors
    /// [`NotAPlanNo`] unless `text` is 14 ASCII digits.
    pub fn parse(text: &str) -> Result<Self, NotAPlanNo> {
        if text.len() == 14 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(text.to_owned()))
        } else {
            Err(NotAPlanNo)
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

impl TryFrom<String> for PlanNo {
    type Error = NotAPlanNo;
    fn try_from(text: String) -> Result<Self, NotAPlanNo> {
        Self::parse(&text)
    }
}

impl From<PlanNo> for String {
    fn from(no: PlanNo) -> Self {
        no.0
    }
}

impl std::fmt::Display for PlanNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How often premiums are paid: `Monthly` (월납), the only cycle the report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum PaymentCycle {
    /// Every month.
    Monthly,
}

/// Where a plan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum PlanStatus {
    /// Saved (가입설계).
    Designed,
    /// The product description was asked for.
    DescriptionRequested,
    /// The product description of this version was issued (상품설명서생성완료).
    DescriptionIssued,
}

/// Plan's copy of a customer, fed by `CustomerRegistered`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerCopy {
    /// The 9-digit number.
    pub customer_no: String,
    /// Name.
    pub name: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// The token `sub` that acts as this customer.
    pub subject: String,
}

/// Full years from `birth` to `on` (0 before the first birthday).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// Today in Asia/Seoul at `now`.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    contracts::seoul_date(now)
}

/// What a customer designs: the product, the sum and the terms, and who sold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Design {
    /// The product.
    pub product_code: String,
    /// Sum insured, won (a positive multiple of 1,000,000).
    pub sum_insured: Won,
    /// Years of cover.
    pub insurance_period_years: u32,
    /// Years of payment.
    pub payment_period_years: u32,
    /// Payment cycle.
    pub payment_cycle: PaymentCycle,
    /// Planner's employee number (`slctPlnrEno`), if given.
    pub planner_no: Option<String>,
    /// Planner's name, if given.
    pub planner_name: Option<String>,
    /// Sales organisation number (`slctDofOrgNo`), if given.
    pub sales_org_no: Option<String>,
    /// Sales organisation name, if given.
    pub sales_org_name: Option<String>,
}

/// What product answered to a quote: the product's name and the monthly premium.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted {
    /// The product's name.
    pub product_name: String,
    /// Monthly premium, won.
    pub monthly_premium: Won,
}

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Its number.
    pub plan_no: PlanNo,
    /// Plan date (`ppsdsnDt`): the day of the last save.
    pub plan_date: NaiveDate,
    /// The customer.
    pub customer: CustomerCopy,
    /// The design.
    pub design: Design,
    /// The product's name.
    pub product_name: String,
    /// Monthly premium product calculated (`sprm`).
    pub monthly_premium: Won,
    /// Where it is (`progSt`).
    pub status: PlanStatus,
    /// When this version's description was issued (`prodDesdIsueDt`).
    pub description_issued_on: Option<NaiveDate>,
    /// 1 when first saved, +1 per saved change.
    pub version: u64,
    /// Optimistic-concurrency counter: 1 when created, +1 per write of any kind.
    pub revision: u64,
    /// When last saved or changed.
    pub updated_at: DateTime<Utc>,
}

/// What plan publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanEvent {
    /// `PlanSaved` (new or changed).
    Saved(Plan),
    /// `ProductDescriptionRequested`.
    DescriptionRequested(Plan),
}

/// The description of this version was issued already (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the product description of this plan version was issued already")]
pub struct AlreadyIssued;

impl Plan {
    /// Saves a new design for `customer`, quoted by product; `Designed`, version 1; says `PlanSaved`.
    pub fn design(
        plan_no: PlanNo,
        customer: CustomerCopy,
        design: Design,
        quoted: Quoted,
        now: DateTime<Utc>,
    ) -> (Self, Vec<PlanEvent>) {
        let plan = Self {
            plan_no,
            plan_date: today(now),
            customer,
            design,
            product_name: quoted.product_name,
            monthly_premium: quoted.monthly_premium,
            status: PlanStatus::Designed,
            description_issued_on: None,
            version: 1,
            revision: 1,
            updated_at: now.trunc_subsecs(3),
        };
        (plan.clone(), vec![PlanEvent::Saved(plan)])
    }

    /// Saves a change: `Designed` again, version + 1, the description gone; says `PlanSaved`.
    pub fn change(&self, design: Design, quoted: Quoted, now: DateTime<Utc>) -> (Self, Vec<PlanEvent>) {
        let plan = Self {
            plan_date: today(now),
            design,
            product_name: quoted.product_name,
            monthly_premium: quoted.monthly_premium,
            status: PlanStatus::Designed,
            description_issued_on: None,
            version: self.version + 1,
            revision: self.revision + 1,
            updated_at: now.trunc_subsecs(3),
            ..self.clone()
        };
        (plan.clone(), vec![PlanEvent::Saved(plan)])
    }

    /// Asks for this version's description: `Designed` -> `DescriptionRequested`, saying
    /// `ProductDescriptionRequested`; `None` when asked already (a repeat changes nothing).
    ///
    /// # Errors
    /// [`AlreadyIssued`].
    pub fn request_description(&self, now: DateTime<Utc>) -> Result<Option<(Self, Vec<PlanEvent>)>, AlreadyIssued> {
        match self.status {
            PlanStatus::DescriptionIssued => Err(AlreadyIssued),
            PlanStatus::DescriptionRequested => Ok(None),
            PlanStatus::Designed => {
                let plan = Self {
                    status: PlanStatus::DescriptionRequested,
                    revision: self.revision + 1,
                    updated_at: now.trunc_subsecs(3),
                    ..self.clone()
                };
                Ok(Some((plan.clone(), vec![PlanEvent::DescriptionRequested(plan)])))
            }
        }
    }

    /// `ProductDescriptionIssued` for `version` on `issued_on`: `DescriptionIssued` when it is
    /// this version's and not issued yet; `None` otherwise (an older version's, or a repeat).
    pub fn description_issued(&self, version: u64, issued_on: NaiveDate, now: DateTime<Utc>) -> Option<Self> {
        (version == self.version && self.status != PlanStatus::DescriptionIssued).then(|| Self {
            status: PlanStatus::DescriptionIssued,
            description_issued_on: Some(issued_on),
            revision: self.revision + 1,
            updated_at: now.trunc_subsecs(3),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-22T01:00:00.123456Z".parse().unwrap()
    }

    fn customer() -> CustomerCopy {
        CustomerCopy {
            customer_no: "000000002".into(),
            name: "양건우".into(),
            birth_date: NaiveDate::from_ymd_opt(1985, 3, 15).unwrap(),
            subject: "auth0|y".into(),
        }
    }

    fn design(sum: u64) -> Design {
        Design {
            product_code: "P00000005".into(),
            sum_insured: Won::new(sum),
            insurance_period_years: 20,
            payment_period_years: 20,
            payment_cycle: PaymentCycle::Monthly,
            planner_no: None,
            planner_name: None,
            sales_org_no: None,
            sales_org_name: None,
        }
    }

    fn quoted(premium: u64) -> Quoted {
        Quoted { product_name: "(무)재해사망보장".into(), monthly_premium: Won::new(premium) }
    }

    #[test]
    fn age_is_counted_in_full_years_on_the_plan_date() {
        let born = NaiveDate::from_ymd_opt(1985, 3, 15).unwrap();
        assert_eq!(age_on(born, NaiveDate::from_ymd_opt(2026, 3, 14).unwrap()), 40);
        assert_eq!(age_on(born, NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()), 41);
        assert_eq!(age_on(born, NaiveDate::from_ymd_opt(1985, 3, 15).unwrap()), 0);
        assert_eq!(today(now()), NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
        assert_eq!(
            today("2026-11-22T15:30:00Z".parse().unwrap()),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            "Seoul"
        );
    }

    #[test]
    fn plan_numbers_are_fourteen_digits() {
        assert_eq!(PlanNo::random().as_str().len(), 14);
        assert!(PlanNo::parse("20210704165943").is_ok());
        for bad in ["2021070416594", "202107041659433", "2021070416594a", ""] {
            assert_eq!(PlanNo::parse(bad), Err(NotAPlanNo));
        }
    }

    #[test]
    fn a_plan_goes_designed_requested_issued_and_a_change_starts_over() {
        let (plan, events) = Plan::design(PlanNo::random(), customer(), design(50_000_000), quoted(80_000), now());
        assert_eq!((plan.status, plan.version, plan.monthly_premium), (PlanStatus::Designed, 1, Won::new(80_000)));
        assert_eq!(events, [PlanEvent::Saved(plan.clone())]);
        let (requested, events) = plan.request_description(now()).unwrap().unwrap();
        assert_eq!(requested.status, PlanStatus::DescriptionRequested);
        assert_eq!(events, [PlanEvent::DescriptionRequested(requested.clone())]);
        assert_eq!(requested.request_description(now()), Ok(None), "a repeat changes nothing");
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(requested.description_issued(2, day, now()), None, "another version's");
        let issued = requested.description_issued(1, day, now()).unwrap();
        assert_eq!((issued.status, issued.description_issued_on), (PlanStatus::DescriptionIssued, Some(day)));
        assert_eq!(issued.description_issued(1, day, now()), None, "a repeat");
        assert_eq!(issued.request_description(now()), Err(AlreadyIssued));
        let (changed, events) = issued.change(design(60_000_000), quoted(96_000), now());
        assert_eq!((changed.status, changed.version, changed.description_issued_on), (PlanStatus::Designed, 2, None));
        assert_eq!(events, [PlanEvent::Saved(changed.clone())]);
        assert_eq!(changed.description_issued(1, day, now()), None, "the old version's description is stale");
    }

    #[test]
    fn a_description_issued_before_it_was_marked_requested_still_counts_for_its_version() {
        let (plan, _) = Plan::design(PlanNo::random(), customer(), design(50_000_000), quoted(80_000), now());
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(plan.description_issued(1, day, now()).unwrap().status, PlanStatus::DescriptionIssued);
    }
}
