//! Money: [`Won`], an amount of Korean won as a whole number (the won has no minor unit
//! in use), never a float.

use std::iter::Sum;
use std::ops::{Add, Mul};

use serde::{Deserialize, Serialize};

/// An amount in won, `0..=u64::MAX`. On the wire and in DynamoDB it is a plain integer
/// (`9000`), so contracts and items stay readable.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(transparent)]
#[schema(example = 4500)]
pub struct Won(u64);

impl Won {
    /// Zero won.
    pub const ZERO: Self = Self(0);

    /// `amount` won.
    pub const fn new(amount: u64) -> Self {
        Self(amount)
    }

    /// The amount as a number of won.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// `floor(self * percent / 100)`, e.g. a bonus or fee at a rate.
    pub fn percent(self, percent: u64) -> u64 {
        let share = u128::from(self.0) * u128::from(percent) / 100;
        u64::try_from(share).unwrap_or(u64::MAX)
    }
}

impl std::fmt::Display for Won {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} won", self.0)
    }
}

impl From<u64> for Won {
    fn from(amount: u64) -> Self {
        Self(amount)
    }
}

/// Saturates instead of wrapping: no real amount comes near `u64::MAX` won.
impl Add for Won {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

/// A unit price times a quantity; saturates as [`Add`] does.
impl Mul<u32> for Won {
    type Output = Self;
    fn mul(self, quantity: u32) -> Self {
        Self(self.0.saturating_mul(u64::from(quantity)))
    }
}

impl Sum for Won {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn won_adds_multiplies_and_takes_percentages_in_whole_won() {
        let lines = [Won::new(4500) * 2, Won::new(5000)];
        let total: Won = lines.into_iter().sum();
        assert_eq!(total, Won::new(14_000));
        assert_eq!(total.percent(10), 1400);
        assert_eq!(Won::new(999).percent(10), 99);
        assert_eq!(serde_json::to_string(&total).unwrap(), "14000");
        assert_eq!(serde_json::from_str::<Won>("9000").unwrap(), Won::new(9000));
        assert!(serde_json::from_str::<Won>("-1").is_err());
        assert_eq!(total.to_string(), "14000 won");
    }
}
