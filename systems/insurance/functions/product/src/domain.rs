//! Product's rules: the [`Product`] aggregate with its underwriting conditions (인수조건), the
//! premium ([`Product::quote`]) and the [`ProductDescription`] (상품설명서). No I/O.
//!
//! - `monthlyPremium = sumInsured / 1,000,000 x premiumPerMillion`; `sumInsured` is a positive
//!   multiple of 1,000,000 won (checked at the edge and again here).
//! - A quote is refused, naming every failing condition, when the age is outside
//!   `minEntryAge..=maxEntryAge`, `sumInsured` is above `maxSumInsured`, the product is not
//!   `OnSale`, `paymentPeriodYears` is above `insurancePeriodYears`, or a period is outside 1..100.
//! - Status `OnSale` <-> `Stopped` (sales stopped and resumed by a change).

use chrono::{DateTime, SubsecRound, Utc};
use platform::Won;
use serde::{Deserialize, Serialize};

platform::opaque_id!(
    /// A product code, e.g. `P00000005` (the original's `prdcd`).
    ProductCode
);

platform::uuid_id!(
    /// A product description's id: a UUID v7 product generates.
    DocumentId,
    "a document id (UUID)"
);

/// One million won: the unit of `premiumPerMillion`.
pub const MILLION: u64 = 1_000_000;

/// Where a product is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum ProductStatus {
    /// Sold: quotes are given.
    OnSale,
    /// Sales stopped: every quote is refused.
    Stopped,
}

/// A product's underwriting conditions and price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conditions {
    /// Youngest entry age, full years.
    pub min_entry_age: u32,
    /// Oldest entry age, full years.
    pub max_entry_age: u32,
    /// The limit amount (한도금액), won.
    pub max_sum_insured: Won,
    /// Monthly premium per 1,000,000 won insured, won.
    pub premium_per_million: Won,
}

/// Conditions that make no product.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidConditions {
    /// `minEntryAge` above `maxEntryAge`, or an age above 150.
    #[error("entry ages must satisfy minEntryAge <= maxEntryAge <= 150")]
    Ages,
    /// `maxSumInsured` below 1,000,000 won.
    #[error("maxSumInsured must be at least 1000000 won")]
    Limit,
    /// `premiumPerMillion` of 0.
    #[error("premiumPerMillion must be more than 0")]
    Price,
}

impl Conditions {
    /// The conditions if they make sense.
    ///
    /// # Errors
    /// [`InvalidConditions`].
    pub fn check(self) -> Result<Self, InvalidConditions> {
        if self.min_entry_age > self.max_entry_age || self.max_entry_age > 150 {
            return Err(InvalidConditions::Ages);
        }
        if self.max_sum_insured.get() < MILLION {
            return Err(InvalidConditions::Limit);
        }
        if self.premium_per_million == Won::ZERO {
            return Err(InvalidConditions::Price);
        }
        Ok(self)
    }
}

/// What a quote asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteAsk {
    /// The customer's age in full years on the plan date.
    pub age: u32,
    /// Sum insured, won.
    pub sum_insured: Won,
    /// Years of cover.
    pub insurance_period_years: u32,
    /// Years of payment.
    pub payment_period_years: u32,
}

/// A failing underwriting condition; its text names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Refusal {
    /// The age is outside the entry ages.
    EntryAge {
        /// The age.
        age: u32,
        /// Youngest.
        min: u32,
        /// Oldest.
        max: u32,
    },
    /// Above the limit amount.
    SumInsuredLimit {
        /// Asked.
        sum_insured: Won,
        /// The limit.
        max: Won,
    },
    /// Not a positive multiple of 1,000,000 won.
    SumInsuredUnit,
    /// The product is not on sale.
    NotOnSale,
    /// Paying longer than the cover lasts.
    PaymentPeriod,
    /// A period outside 1..100.
    Period,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::EntryAge { age, min, max } => write!(f, "entry age: {age} is outside {min}..{max} (가입연령)"),
            Self::SumInsuredLimit { sum_insured, max } => {
                write!(f, "limit amount: sumInsured {sum_insured} is above maxSumInsured {max} (한도금액)")
            }
            Self::SumInsuredUnit => write!(f, "sumInsured must be a positive multiple of 1000000 won"),
            Self::NotOnSale => write!(f, "the product is not on sale"),
            Self::PaymentPeriod => write!(f, "paymentPeriodYears is greater than insurancePeriodYears"),
            Self::Period => write!(f, "a period is outside 1..100 years"),
        }
    }
}

/// A product as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Its code.
    pub code: ProductCode,
    /// Its name (`prdnm`).
    pub name: String,
    /// Underwriting conditions and price.
    pub conditions: Conditions,
    /// On sale or stopped.
    pub status: ProductStatus,
    /// Optimistic-concurrency version: 1 when registered, +1 per change.
    pub version: u64,
}

/// A change of `PATCH /products/{productCode}`: what is given changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductChange {
    /// New name.
    pub name: Option<String>,
    /// New youngest entry age.
    pub min_entry_age: Option<u32>,
    /// New oldest entry age.
    pub max_entry_age: Option<u32>,
    /// New limit amount.
    pub max_sum_insured: Option<Won>,
    /// New price.
    pub premium_per_million: Option<Won>,
    /// Stop or resume sales.
    pub status: Option<ProductStatus>,
}

impl Product {
    /// Registers a product, on sale.
    ///
    /// # Errors
    /// [`InvalidConditions`].
    pub fn register(code: ProductCode, name: String, conditions: Conditions) -> Result<Self, InvalidConditions> {
        Ok(Self { code, name, conditions: conditions.check()?, status: ProductStatus::OnSale, version: 1 })
    }

    /// The product after `change` (version + 1).
    ///
    /// # Errors
    /// [`InvalidConditions`] when the conditions after the change make no sense.
    pub fn change(&self, change: &ProductChange) -> Result<Self, InvalidConditions> {
        let c = &self.conditions;
        let conditions = Conditions {
            min_entry_age: change.min_entry_age.unwrap_or(c.min_entry_age),
            max_entry_age: change.max_entry_age.unwrap_or(c.max_entry_age),
            max_sum_insured: change.max_sum_insured.unwrap_or(c.max_sum_insured),
            premium_per_million: change.premium_per_million.unwrap_or(c.premium_per_million),
        }
        .check()?;
        Ok(Self {
            code: self.code.clone(),
            name: change.name.clone().unwrap_or_else(|| self.name.clone()),
            conditions,
            status: change.status.unwrap_or(self.status),
            version: self.version + 1,
        })
    }

    /// The monthly premium of `ask`, or every failing underwriting condition.
    ///
    /// # Errors
    /// Every [`Refusal`] that applies, in the order the spec lists them.
    pub fn quote(&self, ask: &QuoteAsk) -> Result<Won, Vec<Refusal>> {
        let c = &self.conditions;
        let mut refused = Vec::new();
        if !(c.min_entry_age..=c.max_entry_age).contains(&ask.age) {
            refused.push(Refusal::EntryAge { age: ask.age, min: c.min_entry_age, max: c.max_entry_age });
        }
        if ask.sum_insured > c.max_sum_insured {
            refused.push(Refusal::SumInsuredLimit { sum_insured: ask.sum_insured, max: c.max_sum_insured });
        }
        if ask.sum_insured == Won::ZERO || !ask.sum_insured.get().is_multiple_of(MILLION) {
            refused.push(Refusal::SumInsuredUnit);
        }
        if self.status != ProductStatus::OnSale {
            refused.push(Refusal::NotOnSale);
        }
        if ask.payment_period_years > ask.insurance_period_years {
            refused.push(Refusal::PaymentPeriod);
        }
        if ![ask.insurance_period_years, ask.payment_period_years].iter().all(|p| (1..=100).contains(p)) {
            refused.push(Refusal::Period);
        }
        if !refused.is_empty() {
            return Err(refused);
        }
        let units = ask.sum_insured.get() / MILLION;
        Ok(Won::new(units.saturating_mul(c.premium_per_million.get())))
    }
}

/// A product description (상품설명서) issued for one plan version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductDescription {
    /// Its id.
    pub document_id: DocumentId,
    /// The plan.
    pub plan_no: String,
    /// The plan version it describes.
    pub plan_version: u64,
    /// The plan's customer.
    pub customer_no: String,
    /// The product.
    pub product_code: ProductCode,
    /// Its name.
    pub product_name: String,
    /// When issued.
    pub issued_at: DateTime<Utc>,
}

/// What product publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductEvent {
    /// `ProductDescriptionIssued`.
    DescriptionIssued(ProductDescription),
}

impl ProductDescription {
    /// Issues the description of `plan_no` version `plan_version` for `product` at `now`; says
    /// `ProductDescriptionIssued`.
    pub fn issue(
        product: &Product,
        (plan_no, plan_version, customer_no): (String, u64, String),
        now: DateTime<Utc>,
    ) -> (Self, Vec<ProductEvent>) {
        let description = Self {
            document_id: DocumentId::generate(),
            plan_no,
            plan_version,
            customer_no,
            product_code: product.code.clone(),
            product_name: product.name.clone(),
            issued_at: now.trunc_subsecs(3),
        };
        (description.clone(), vec![ProductEvent::DescriptionIssued(description)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scenario's product: P00000005, ages 15-60, 100,000,000 won, 1,600 won per million.
    fn accident_cover() -> Product {
        let conditions = Conditions {
            min_entry_age: 15,
            max_entry_age: 60,
            max_sum_insured: Won::new(100_000_000),
            premium_per_million: Won::new(1_600),
        };
        Product::register(ProductCode::parse("P00000005").unwrap(), "(무)재해사망보장".into(), conditions).unwrap()
    }

    fn ask(age: u32, sum: u64, insured: u32, paid: u32) -> QuoteAsk {
        QuoteAsk { age, sum_insured: Won::new(sum), insurance_period_years: insured, payment_period_years: paid }
    }

    #[test]
    fn the_premium_is_sum_insured_in_millions_times_the_price_per_million() {
        let product = accident_cover();
        assert_eq!(product.quote(&ask(41, 50_000_000, 20, 20)), Ok(Won::new(80_000)), "the report's sprm");
        assert_eq!(product.quote(&ask(15, 1_000_000, 1, 1)), Ok(Won::new(1_600)));
        assert_eq!(product.quote(&ask(60, 100_000_000, 100, 100)), Ok(Won::new(160_000)), "the limits are inclusive");
    }

    #[test]
    fn every_failing_condition_is_named() {
        let product = accident_cover();
        assert_eq!(
            product.quote(&ask(41, 200_000_000, 20, 20)),
            Err(vec![Refusal::SumInsuredLimit { sum_insured: Won::new(200_000_000), max: Won::new(100_000_000) }])
        );
        assert_eq!(
            product.quote(&ask(70, 50_000_000, 20, 20)),
            Err(vec![Refusal::EntryAge { age: 70, min: 15, max: 60 }])
        );
        assert_eq!(product.quote(&ask(14, 50_000_000, 20, 20)).unwrap_err().len(), 1);
        assert_eq!(product.quote(&ask(41, 50_000_000, 10, 20)), Err(vec![Refusal::PaymentPeriod]));
        assert_eq!(product.quote(&ask(41, 50_000_000, 101, 20)), Err(vec![Refusal::Period]));
        assert_eq!(product.quote(&ask(41, 50_000_000, 20, 0)), Err(vec![Refusal::Period]));
        assert_eq!(product.quote(&ask(41, 1_500_000, 20, 20)), Err(vec![Refusal::SumInsuredUnit]));
        let stopped =
            product.change(&ProductChange { status: Some(ProductStatus::Stopped), ..Default::default() }).unwrap();
        assert_eq!(stopped.quote(&ask(41, 50_000_000, 20, 20)), Err(vec![Refusal::NotOnSale]));
        let all = stopped.quote(&ask(70, 200_000_000, 101, 102)).unwrap_err();
        assert_eq!(all.len(), 5, "{all:?}");
        assert!(all[0].to_string().contains("entry age") && all[1].to_string().contains("limit amount"));
    }

    #[test]
    fn a_change_keeps_what_is_not_given_and_refuses_nonsense() {
        let product = accident_cover();
        let change = ProductChange { premium_per_million: Some(Won::new(2_000)), ..Default::default() };
        let changed = product.change(&change).unwrap();
        assert_eq!((changed.version, changed.conditions.min_entry_age), (2, 15));
        assert_eq!(changed.quote(&ask(41, 50_000_000, 20, 20)), Ok(Won::new(100_000)));
        let back =
            changed.change(&ProductChange { status: Some(ProductStatus::OnSale), ..Default::default() }).unwrap();
        assert_eq!((back.status, back.version), (ProductStatus::OnSale, 3));
        let bad = ProductChange { min_entry_age: Some(61), ..Default::default() };
        assert_eq!(product.change(&bad), Err(InvalidConditions::Ages));
        let zero = Conditions { premium_per_million: Won::ZERO, ..product.conditions.clone() };
        assert_eq!(Product::register(product.code.clone(), "x".into(), zero), Err(InvalidConditions::Price));
    }

    #[test]
    fn issuing_a_description_says_product_description_issued_for_that_plan_version() {
        let now: DateTime<Utc> = "2026-11-22T01:00:00.123456Z".parse().unwrap();
        let (description, events) =
            ProductDescription::issue(&accident_cover(), ("20261122000000".into(), 2, "000000002".into()), now);
        assert_eq!((description.plan_version, description.product_name.as_str()), (2, "(무)재해사망보장"));
        assert_eq!(events, [ProductEvent::DescriptionIssued(description)]);
    }
}
