//! The Customer aggregate, its validated values, and the points ledger: what each order
//! did to its customer's points. Pure: no I/O, no AWS, no wire types.

use chrono::{DateTime, Utc};
use platform::Won;
use platform::text::TextError;

platform::opaque_id!(
    /// A customer id: the `sub` of the customer's token, opaque (a UUID, `auth0|abc123`,
    /// Google's digits), 1 to 255 visible characters.
    CustomerId
);

platform::opaque_id!(
    /// An order id, as the order context issued it; opaque to this context.
    OrderId
);

/// Why a value was refused; the message is shown to the client next to the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub &'static str);

/// A customer's display name: 1 to [`CustomerName::MAX_LEN`] characters after trimming and
/// NFC, none of them refused by [`platform::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerName(String);

impl CustomerName {
    /// Longest name accepted, in characters (after NFC).
    pub const MAX_LEN: usize = 100;

    /// The name, trimmed.
    ///
    /// # Errors
    /// When empty or longer than 100 characters.
    pub fn parse(text: &str) -> Result<Self, TextError> {
        platform::text::bounded(text, Self::MAX_LEN).map(Self)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address (RFC 5322 addr-spec), stored lower-cased; one customer per address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// The address, trimmed and lower-cased.
    ///
    /// # Errors
    /// When it is not a valid address or is longer than 254 characters.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        if text.len() > 254 {
            return Err(Invalid("must be at most 254 characters"));
        }
        let address: email_address::EmailAddress = text.parse().map_err(|_| Invalid("must be an email address"))?;
        // Local-only addresses (`a@localhost`) cannot receive our notifications.
        if !address.domain().contains('.') {
            return Err(Invalid("must be an email address"));
        }
        Ok(Self(address.as_str().to_lowercase()))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number: digits with an optional leading `+` and `-`/space separators, 7 to 15 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// The number as given, trimmed.
    ///
    /// # Errors
    /// When it holds other characters or a digit count outside 7..=15.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        let body = text.strip_prefix('+').unwrap_or(text);
        if !body.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ') {
            return Err(Invalid("must be a phone number (digits, optional +, - or spaces)"));
        }
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if !(7..=15).contains(&digits) {
            return Err(Invalid("must have 7 to 15 digits"));
        }
        Ok(Self(text.to_owned()))
    }

    /// The number as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The share of an order's amount it earns in points, in percent (0 to 100); the template's
/// `PointsRatePercent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PointsRate(u64);

impl PointsRate {
    /// `percent` points per 100 won.
    ///
    /// # Errors
    /// Above 100.
    pub fn percent(percent: u64) -> Result<Self, Invalid> {
        if percent > 100 { Err(Invalid("must be a percentage from 0 to 100")) } else { Ok(Self(percent)) }
    }

    /// The points an order of `amount` earns: `floor(amount * rate / 100)`.
    pub fn points_for(self, amount: Won) -> u64 {
        amount.percent(self.0)
    }
}

/// Read from configuration as a whole number of percent (`"10"`).
impl std::str::FromStr for PointsRate {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let percent: u64 = text.parse().map_err(|err| format!("{err}"))?;
        Self::percent(percent).map_err(|err| err.to_string())
    }
}

/// A customer: who they are and their points balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Identity: the token's `sub`.
    pub id: CustomerId,
    /// Display name.
    pub name: CustomerName,
    /// Email address (unique).
    pub email: Email,
    /// Optional phone number.
    pub phone: Option<Phone>,
    /// Points balance.
    pub points: u64,
    /// When the customer signed up.
    pub registered_at: DateTime<Utc>,
    /// Optimistic-concurrency version: 1 after registration, +1 per change.
    pub version: u64,
}

/// What a customer gives when signing up, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Display name.
    pub name: CustomerName,
    /// Email address.
    pub email: Email,
    /// Optional phone number.
    pub phone: Option<Phone>,
}

/// Why an order moved a customer's points; on the wire, the order event's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::Display)]
pub enum PointsReason {
    /// The order was placed and earned points.
    OrderPlaced,
    /// The order was cancelled and its points were taken back.
    OrderCancelled,
}

/// What happened to a customer, as this context tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerEvent {
    /// A customer signed up holding the welcome points.
    Registered {
        /// The new customer.
        customer_id: CustomerId,
        /// Display name.
        name: CustomerName,
        /// Email address.
        email: Email,
        /// Points granted on sign-up.
        welcome_points: u64,
    },
    /// A customer's balance moved because of an order.
    PointsChanged {
        /// The customer.
        customer_id: CustomerId,
        /// The order that moved it.
        order_id: OrderId,
        /// Signed change in points (never 0).
        delta: i64,
        /// Balance after the change.
        balance: u64,
        /// Earned or taken back.
        reason: PointsReason,
    },
}

impl Customer {
    /// Customer `id` (the caller's identity) signs up holding `welcome_points`.
    pub fn register(
        id: CustomerId,
        registration: Registration,
        welcome_points: u64,
        now: DateTime<Utc>,
    ) -> (Self, Vec<CustomerEvent>) {
        Self::register_holding(id, registration, welcome_points, &HeldPoints::none(), now)
    }

    /// Customer `id` signs up holding `welcome_points` plus the points `held` for the
    /// orders the identity placed before it registered (see [`HeldPoints`]).
    /// `CustomerRegistered` tells the welcome points; the balance holds both.
    pub fn register_holding(
        id: CustomerId,
        registration: Registration,
        welcome_points: u64,
        held: &HeldPoints,
        now: DateTime<Utc>,
    ) -> (Self, Vec<CustomerEvent>) {
        let customer = Self {
            id,
            name: registration.name,
            email: registration.email,
            phone: registration.phone,
            points: welcome_points.saturating_add(held.points),
            registered_at: now,
            version: 1,
        };
        let registered = CustomerEvent::Registered {
            customer_id: customer.id.clone(),
            name: customer.name.clone(),
            email: customer.email.clone(),
            welcome_points,
        };
        (customer, vec![registered])
    }

    fn with_points(&self, points: u64) -> Self {
        Self { points, version: self.version + 1, ..self.clone() }
    }
}

/// The ledger entry of one order: what it did to its customer's points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Earning {
    /// The order earned these points and they still count.
    Earned(u64),
    /// The order was cancelled: the points it had earned were taken back (0 when the
    /// cancellation came before the order could earn, so it never will).
    TakenBack(u64),
}

/// A customer's points as one order sees them: the customer and that order's ledger entry.
/// Placing earns once; cancelling takes back exactly what was earned, once, whichever of
/// the two arrives first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPoints {
    /// The customer who ordered.
    pub customer: Customer,
    /// The order.
    pub order_id: OrderId,
    /// The order's ledger entry, `None` until it earned or was cancelled.
    pub earning: Option<Earning>,
}

impl OrderPoints {
    /// The order of `amount` was placed: it earns `floor(amount * rate / 100)` points.
    /// `None` when nothing changes: it earned already, was cancelled first, or earns 0.
    pub fn place(&self, amount: Won, rate: PointsRate) -> Option<(Self, Vec<CustomerEvent>)> {
        let earned = rate.points_for(amount);
        if self.earning.is_some() || earned == 0 {
            return None;
        }
        let customer = self.customer.with_points(self.customer.points.saturating_add(earned));
        let event = self.changed(&customer, i64::try_from(earned).unwrap_or(i64::MAX), PointsReason::OrderPlaced);
        Some((Self { customer, earning: Some(Earning::Earned(earned)), ..self.clone() }, vec![event]))
    }

    /// The order was cancelled: the points it earned are taken back (never below a zero
    /// balance); if it has not earned yet, it never will. `None` when it was taken back
    /// already.
    pub fn cancel(&self) -> Option<(Self, Vec<CustomerEvent>)> {
        let earned = match self.earning {
            Some(Earning::TakenBack(_)) => return None,
            Some(Earning::Earned(earned)) => earned,
            None => 0,
        };
        let earning = Some(Earning::TakenBack(earned));
        let taken = earned.min(self.customer.points);
        if taken == 0 {
            return Some((Self { earning, ..self.clone() }, Vec::new()));
        }
        let customer = self.customer.with_points(self.customer.points - taken);
        let event = self.changed(&customer, -i64::try_from(taken).unwrap_or(i64::MAX), PointsReason::OrderCancelled);
        Some((Self { customer, earning, ..self.clone() }, vec![event]))
    }

    fn changed(&self, customer: &Customer, delta: i64, reason: PointsReason) -> CustomerEvent {
        CustomerEvent::PointsChanged {
            customer_id: customer.id.clone(),
            order_id: self.order_id.clone(),
            delta,
            balance: customer.points,
            reason,
        }
    }
}

/// The points an identity earned by ordering before it registered as a customer: the sum
/// of its orders' entries that still count, kept until it registers, when they join the
/// welcome points ([`Customer::register_holding`]). Orders are accepted from any signed-in
/// identity, so their points are kept rather than dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeldPoints {
    /// The points held.
    pub points: u64,
    /// Optimistic-concurrency version of the stored balance; 0 when none is stored.
    pub version: u64,
}

impl HeldPoints {
    /// Nothing held (nothing stored).
    pub fn none() -> Self {
        Self::default()
    }
}

/// The held points of an identity that has not registered, as one order sees them: the
/// held balance and that order's ledger entry. The same rules as [`OrderPoints`]: placing
/// earns once, cancelling takes back exactly what was earned, once, whichever comes first.
/// No event is told (there is no customer to tell yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldOrderPoints {
    /// Who ordered.
    pub customer_id: CustomerId,
    /// The points held for it.
    pub held: HeldPoints,
    /// The order.
    pub order_id: OrderId,
    /// The order's entry, if it has one.
    pub earning: Option<Earning>,
}

impl HeldOrderPoints {
    fn with(&self, points: u64, earning: Earning) -> Self {
        Self { held: HeldPoints { points, version: self.held.version + 1 }, earning: Some(earning), ..self.clone() }
    }

    /// The order earns `amount` at `rate`, held; `None` when it has an entry already (a
    /// repeat, or cancelled first) or earns nothing.
    pub fn place(&self, amount: Won, rate: PointsRate) -> Option<Self> {
        let earned = rate.points_for(amount);
        if self.earning.is_some() || earned == 0 {
            return None;
        }
        Some(self.with(self.held.points.saturating_add(earned), Earning::Earned(earned)))
    }

    /// The order was cancelled: what it earned is no longer held (and if it had not earned
    /// yet, it never will); `None` when it was taken back already.
    pub fn cancel(&self) -> Option<Self> {
        let earned = match self.earning {
            Some(Earning::TakenBack(_)) => return None,
            Some(Earning::Earned(earned)) => earned,
            None => 0,
        };
        Some(self.with(self.held.points.saturating_sub(earned), Earning::TakenBack(earned)))
    }
}

/// Whose points an order event is about: a registered customer's, or an identity's that has
/// not registered yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointsAccount {
    /// A customer: the balance changes and `PointsChanged` is told.
    Registered(OrderPoints),
    /// Not registered (yet): the points are held until it registers.
    Unregistered(HeldOrderPoints),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kim(points: u64) -> Customer {
        let registration = Registration {
            name: CustomerName::parse("Kim").unwrap(),
            email: Email::parse("kim@example.com").unwrap(),
            phone: None,
        };
        Customer::register(CustomerId::parse("auth0|kim").unwrap(), registration, points, Utc::now()).0
    }

    fn order(points: u64, earning: Option<Earning>) -> OrderPoints {
        OrderPoints { customer: kim(points), order_id: OrderId::parse("order-1").unwrap(), earning }
    }

    fn ten_percent() -> PointsRate {
        PointsRate::percent(10).unwrap()
    }

    fn changed(delta: i64, balance: u64, reason: PointsReason) -> CustomerEvent {
        CustomerEvent::PointsChanged {
            customer_id: CustomerId::parse("auth0|kim").unwrap(),
            order_id: OrderId::parse("order-1").unwrap(),
            delta,
            balance,
            reason,
        }
    }

    #[test]
    fn points_of_an_unregistered_identity_are_held_and_join_the_welcome_points() {
        let id = CustomerId::parse("auth0|kim").unwrap();
        let order = |n: &str, held: HeldPoints, earning| HeldOrderPoints {
            customer_id: id.clone(),
            held,
            order_id: OrderId::parse(n).unwrap(),
            earning,
        };
        let first = order("o-1", HeldPoints::none(), None).place(Won::new(9000), ten_percent()).unwrap();
        assert_eq!((first.held, first.earning), (HeldPoints { points: 900, version: 1 }, Some(Earning::Earned(900))));
        assert_eq!(first.place(Won::new(9000), ten_percent()), None, "earned once");
        let second = order("o-2", first.held, None).place(Won::new(5000), ten_percent()).unwrap();
        assert_eq!(second.held.points, 1400);
        let cancelled = order("o-2", second.held, second.earning).cancel().unwrap();
        assert_eq!((cancelled.held.points, cancelled.earning), (900, Some(Earning::TakenBack(500))));
        assert_eq!(cancelled.cancel(), None, "taken back once");
        let early = order("o-3", cancelled.held, None).cancel().unwrap();
        assert_eq!((early.held.points, early.earning), (900, Some(Earning::TakenBack(0))));
        assert_eq!(early.place(Won::new(9000), ten_percent()), None, "cancelled first: never earns");

        let registration = Registration {
            name: CustomerName::parse("Kim").unwrap(),
            email: Email::parse("kim@example.com").unwrap(),
            phone: None,
        };
        let (customer, events) = Customer::register_holding(id, registration, 1000, &early.held, Utc::now());
        assert_eq!(customer.points, 1900);
        assert!(matches!(events.as_slice(), [CustomerEvent::Registered { welcome_points: 1000, .. }]));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(CustomerName::parse("  Kim  ").unwrap().as_str(), "Kim");
        assert!(CustomerName::parse("   ").is_err());
        assert!(CustomerName::parse(&"가".repeat(100)).is_ok());
        assert!(CustomerName::parse(&"가".repeat(101)).is_err());
    }

    #[test]
    fn emails_are_validated_and_lower_cased() {
        assert_eq!(Email::parse("Kim@Example.COM").unwrap().as_str(), "kim@example.com");
        for bad in ["", "kim", "kim@", "@example.com", "kim@localhost", "a b@example.com"] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn phones_are_validated() {
        assert!(Phone::parse("+82 10-1234-5678").is_ok());
        assert!(Phone::parse("010-1234-5678").is_ok());
        assert!(Phone::parse("12345").is_err());
        assert!(Phone::parse("010-CALL-ME").is_err());
    }

    #[test]
    fn the_rate_is_a_percentage_read_from_text() {
        assert_eq!("10".parse::<PointsRate>().unwrap(), ten_percent());
        assert!("101".parse::<PointsRate>().is_err());
        assert!("ten".parse::<PointsRate>().is_err());
        assert_eq!(ten_percent().points_for(Won::new(4999)), 499);
    }

    #[test]
    fn a_new_customer_holds_the_welcome_points_and_says_so() {
        let registration = Registration {
            name: CustomerName::parse("Kim").unwrap(),
            email: Email::parse("kim@example.com").unwrap(),
            phone: None,
        };
        let id = CustomerId::parse("108234567890123456789").unwrap();
        let (customer, events) = Customer::register(id.clone(), registration, 1000, Utc::now());
        assert_eq!((customer.points, customer.version), (1000, 1));
        assert_eq!(
            events,
            [CustomerEvent::Registered {
                customer_id: id,
                name: CustomerName::parse("Kim").unwrap(),
                email: Email::parse("kim@example.com").unwrap(),
                welcome_points: 1000,
            }]
        );
    }

    #[test]
    fn a_placed_order_earns_the_floor_of_its_share() {
        let (after, events) = order(1000, None).place(Won::new(9000), ten_percent()).unwrap();
        assert_eq!(events, [changed(900, 1900, PointsReason::OrderPlaced)]);
        assert_eq!((after.customer.points, after.customer.version), (1900, 2));
        assert_eq!(after.earning, Some(Earning::Earned(900)));

        let (_, events) = order(0, None).place(Won::new(4999), ten_percent()).unwrap();
        assert_eq!(events, [changed(499, 499, PointsReason::OrderPlaced)]);
    }

    #[test]
    fn an_order_earns_once() {
        let (earned, _) = order(1000, None).place(Won::new(9000), ten_percent()).unwrap();
        assert_eq!(earned.place(Won::new(9000), ten_percent()), None);
    }

    #[test]
    fn an_order_too_small_to_earn_changes_nothing() {
        assert_eq!(order(1000, None).place(Won::new(9), ten_percent()), None);
        assert_eq!(order(1000, None).place(Won::new(9000), PointsRate::percent(0).unwrap()), None);
    }

    #[test]
    fn a_cancellation_takes_back_exactly_what_the_order_earned_once() {
        let (earned, _) = order(1000, None).place(Won::new(9000), ten_percent()).unwrap();
        let (cancelled, events) = earned.cancel().unwrap();
        assert_eq!(events, [changed(-900, 1000, PointsReason::OrderCancelled)]);
        assert_eq!((cancelled.customer.points, cancelled.customer.version), (1000, 3));
        assert_eq!(cancelled.earning, Some(Earning::TakenBack(900)));
        assert_eq!(cancelled.cancel(), None, "a second cancellation takes nothing");
        assert_eq!(cancelled.place(Won::new(9000), ten_percent()), None, "nor does a late placement earn");
    }

    #[test]
    fn a_cancellation_before_the_placement_means_the_order_never_earns() {
        let before = order(1000, None);
        let (cancelled, events) = before.cancel().unwrap();
        assert!(events.is_empty());
        assert_eq!(cancelled.customer, before.customer, "the balance did not move");
        assert_eq!(cancelled.earning, Some(Earning::TakenBack(0)));
        assert_eq!(cancelled.place(Won::new(9000), ten_percent()), None);
    }

    #[test]
    fn taking_back_never_goes_below_zero() {
        let (cancelled, events) = order(300, Some(Earning::Earned(900))).cancel().unwrap();
        assert_eq!(events, [changed(-300, 0, PointsReason::OrderCancelled)]);
        assert_eq!(cancelled.earning, Some(Earning::TakenBack(900)));

        let (cancelled, events) = order(0, Some(Earning::Earned(900))).cancel().unwrap();
        assert!(events.is_empty());
        assert_eq!(cancelled.earning, Some(Earning::TakenBack(900)));
    }
}
