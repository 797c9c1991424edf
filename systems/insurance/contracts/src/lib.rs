//! Insurance's message contracts, in one library used by producers and consumers alike.
//!
//! - Domain event payloads (the envelope's `data`; see [`platform::envelope`]), one module per
//!   producing context, with the topic they go to: [`customer`], [`product`], [`plan`],
//!   [`proposal`], [`payment`], [`alarm`].
//! - The synchronous `Invoke` calls plan -> product ([`quote_call`]) and proposal -> payment
//!   ([`pay_call`]).
//!
//! Times are RFC 3339 UTC strings, dates `YYYY-MM-DD` (Asia/Seoul), money whole won
//! ([`platform::Won`], a plain integer on the wire). Each topic has one event enum, adjacently
//! tagged by the envelope's `type`. The envelope's `correlationId` is the plan number, then the
//! proposal number (the customer number for customer events).

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use platform::zone::Zone;

pub mod alarm;
pub mod customer;
pub mod pay_call;
pub mod payment;
pub mod plan;
pub mod product;
pub mod proposal;
pub mod quote_call;

use serde::{Deserialize, Serialize};

/// A plan's terms, as every plan event and the quote call tell them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Terms {
    /// Years of cover, 1..100 (the original's `insPrd`).
    pub insurance_period_years: u32,
    /// Years of payments, 1..100, at most the cover's (`pmPrd`).
    pub payment_period_years: u32,
    /// `Monthly` (월납), the only cycle supported.
    pub payment_cycle: String,
}

/// The time zone of every date in these contracts and in the insurer's rules.
static SEOUL: LazyLock<Zone> =
    LazyLock::new(|| Zone::named("Asia/Seoul").expect("Asia/Seoul is in the bundled time zone database"));

/// The date in Asia/Seoul at `at`: the calendar of birth dates, "today" and the dates on the
/// wire (2026-11-21T15:30Z is already the 22nd).
pub fn seoul_date(at: DateTime<Utc>) -> NaiveDate {
    SEOUL.local_date(at)
}

#[cfg(test)]
mod tests {
    #[test]
    fn seoul_dates_start_at_seoul_midnight() {
        let date = |at: &str| super::seoul_date(at.parse().unwrap()).to_string();
        assert_eq!(date("2026-11-21T14:59:59Z"), "2026-11-21");
        assert_eq!(date("2026-11-21T15:00:00Z"), "2026-11-22");
    }
}
