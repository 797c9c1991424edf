//! Customer's rules: the [`Customer`] aggregate (고객) and its 9-digit [`CustomerNo`]. No I/O.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A customer number: exactly 9 ASCII digits, e.g. `"000000002"` (the original's `custNo`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerNo(String);

/// Text that is no customer number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be 9 digits")]
pub struct NotACustomerNo;

impl CustomerNo {
    /// Parses a customer number.
    ///
    /// # Errors
    /// [`NotACustomerNo`] unless `text` is exactly 9 ASCII digits.
    pub fn parse(text: &str) -> Result<Self, NotACustomerNo> {
        if text.len() == 9 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(text.to_owned()))
        } else {
            Err(NotACustomerNo)
        }
    }

    /// A random number (uniform over 000000000..999999999): registration writes it only if
    /// new, and draws again on a clash.
    pub fn random() -> Self {
        let n = uuid::Uuid::new_v4().as_u128() % 1_000_000_000;
        Self(format!("{n:09}"))
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CustomerNo {
    type Error = NotACustomerNo;
    fn try_from(text: String) -> Result<Self, NotACustomerNo> {
        Self::parse(&text)
    }
}

impl From<CustomerNo> for String {
    fn from(no: CustomerNo) -> Self {
        no.0
    }
}

impl std::fmt::Display for CustomerNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// The number.
    pub customer_no: CustomerNo,
    /// Name (`custNm`), 1 to 50 characters.
    pub name: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Phone number.
    pub phone: String,
    /// The token `sub` that registered and acts as this customer.
    pub subject: String,
    /// When registered.
    pub registered_at: DateTime<Utc>,
}

/// What customer publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerEvent {
    /// `CustomerRegistered`.
    Registered(Customer),
}

/// A birth date after today (Asia/Seoul).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("birthDate {0} is in the future")]
pub struct BornInTheFuture(pub NaiveDate);

impl Customer {
    /// Registers `subject` as customer `customer_no` at `now`; says `CustomerRegistered`.
    ///
    /// # Errors
    /// [`BornInTheFuture`].
    pub fn register(
        customer_no: CustomerNo,
        subject: String,
        (name, birth_date, phone): (String, NaiveDate, String),
        now: DateTime<Utc>,
    ) -> Result<(Self, Vec<CustomerEvent>), BornInTheFuture> {
        if birth_date > contracts::seoul_date(now) {
            return Err(BornInTheFuture(birth_date));
        }
        let customer = Self { customer_no, name, birth_date, phone, subject, registered_at: now };
        Ok((customer.clone(), vec![CustomerEvent::Registered(customer)]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_number_is_nine_digits() {
        assert!(CustomerNo::parse("000000002").is_ok());
        for bad in ["", "00000002", "0000000002", "00000000a", "+00000002", "００００００００２"] {
            assert_eq!(CustomerNo::parse(bad), Err(NotACustomerNo), "{bad}");
        }
        let drawn = CustomerNo::random();
        assert_eq!(CustomerNo::parse(drawn.as_str()), Ok(drawn));
    }

    #[test]
    fn registering_says_customer_registered_and_refuses_a_future_birth() {
        let now: DateTime<Utc> = "2026-11-22T01:00:00Z".parse().unwrap();
        let no = CustomerNo::parse("000000002").unwrap();
        let born = NaiveDate::from_ymd_opt(1985, 3, 15).unwrap();
        let (customer, events) =
            Customer::register(no.clone(), "auth0|y".into(), ("양건우".into(), born, "010-1234-5678".into()), now)
                .unwrap();
        assert_eq!(events, [CustomerEvent::Registered(customer.clone())]);
        assert_eq!((customer.customer_no, customer.birth_date), (no.clone(), born));
        let tomorrow = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let refused = Customer::register(no, "s".into(), ("A".into(), tomorrow, "010".into()), now);
        assert_eq!(refused, Err(BornInTheFuture(tomorrow)));
    }
}
