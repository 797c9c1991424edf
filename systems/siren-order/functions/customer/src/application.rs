//! The customer context's use cases: load, decide (the domain), save. The points policy
//! is in [`crate::policies`].

use chrono::Utc;
use platform::auth::Caller;
use platform::retry::Conflict;

use crate::domain::{Customer, CustomerId, Registration};
use crate::ports::{CustomerLookup, CustomerRegistry, RegisterError};

/// Why `register_customer` refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum RegisterCustomerError {
    /// The token's `sub` cannot be a customer id (empty, too long, or holds whitespace).
    #[error("the token's subject is not a customer id")]
    NotACustomerId,
    /// The request names a customer id other than the caller's.
    #[error("customerId is not the caller's")]
    AnotherCustomer,
    /// The caller is registered already.
    #[error("already registered")]
    AlreadyRegistered,
    /// Another customer uses the email address.
    #[error("the email address is taken")]
    EmailTaken,
    /// Order events kept changing the points held for the caller; every attempt lost.
    #[error("the points held for the caller kept changing; try again")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl Conflict for RegisterCustomerError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

impl From<RegisterError> for RegisterCustomerError {
    fn from(err: RegisterError) -> Self {
        match err {
            RegisterError::AlreadyRegistered => Self::AlreadyRegistered,
            RegisterError::EmailTaken => Self::EmailTaken,
            RegisterError::HeldPointsChanged => Self::Contended,
            RegisterError::Storage(err) => Self::Storage(err),
        }
    }
}

/// The caller signs up as customer `caller.subject` with `welcome_points`; `claimed`, when
/// given, must be that same id. Stores the customer and `CustomerRegistered`. The points
/// held for orders the identity placed before registering join the balance in the same
/// transaction (read again and retried if an order event changes them meanwhile).
///
/// # Errors
/// See [`RegisterCustomerError`].
#[tracing::instrument(skip_all, fields(correlation_id = %caller.subject))]
pub async fn register_customer(
    registry: &impl CustomerRegistry,
    welcome_points: u64,
    caller: &Caller,
    claimed: Option<CustomerId>,
    registration: Registration,
) -> Result<Customer, RegisterCustomerError> {
    let id = CustomerId::parse(&caller.subject).map_err(|_| RegisterCustomerError::NotACustomerId)?;
    if claimed.is_some_and(|claimed| claimed != id) {
        return Err(RegisterCustomerError::AnotherCustomer);
    }
    let customer = platform::retry::on_conflict(|| async {
        let held = registry.held(&id).await.map_err(RegisterCustomerError::Storage)?;
        let (customer, events) =
            Customer::register_holding(id.clone(), registration.clone(), welcome_points, &held, Utc::now());
        registry.register(&customer, &held, &events).await?;
        Ok::<_, RegisterCustomerError>((customer, held))
    })
    .await;
    let (customer, held) = customer?;
    tracing::info!(held_points = held.points, balance = customer.points, "customer registered");
    Ok(customer)
}

/// Why `get_customer` found nothing to show.
#[derive(Debug, thiserror::Error)]
pub enum GetCustomerError {
    /// No such customer, or not the caller's to see (the two are not told apart).
    #[error("customer {0} not found")]
    NotFound(String),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Customer `id`, for that customer or an owner.
///
/// # Errors
/// See [`GetCustomerError`].
pub async fn get_customer(
    customers: &impl CustomerLookup,
    caller: &Caller,
    id: &CustomerId,
) -> Result<Customer, GetCustomerError> {
    let not_found = || GetCustomerError::NotFound(id.to_string());
    if id.as_str() != caller.subject && !caller.is("owner") {
        return Err(not_found());
    }
    customers.find(id).await?.ok_or_else(not_found)
}
