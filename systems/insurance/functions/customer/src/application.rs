//! Customer's use cases: [`register`] and [`get`].

use chrono::{NaiveDate, Utc};
use platform::dynamo::WriteError;
use platform::retry::{Conflict, on_conflict};

use crate::domain::{BornInTheFuture, Customer, CustomerNo};
use crate::ports::Customers;

/// The command of `POST /customers`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterCustomer {
    /// The caller's token `sub`.
    pub subject: String,
    /// Name.
    pub name: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Phone number.
    pub phone: String,
}

/// Why [`register`] registered nothing.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The caller registered before (409).
    #[error("this account is customer {0} already")]
    AlreadyRegistered(CustomerNo),
    /// A future birth date (422).
    #[error(transparent)]
    BornInTheFuture(#[from] BornInTheFuture),
    /// Numbers kept clashing.
    #[error("no free customer number was found")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl Conflict for RegisterError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Registers the caller under a fresh 9-digit number, with `CustomerRegistered`, once per
/// subject.
///
/// # Errors
/// [`RegisterError`]; nothing is written.
pub async fn register(customers: &impl Customers, command: &RegisterCustomer) -> Result<Customer, RegisterError> {
    let customer = on_conflict(|| async {
        if let Some(no) = customers.number_of(&command.subject).await? {
            return Err(RegisterError::AlreadyRegistered(no));
        }
        let details = (command.name.clone(), command.birth_date, command.phone.clone());
        let (customer, events) =
            Customer::register(CustomerNo::random(), command.subject.clone(), details, Utc::now())?;
        match customers.register(&customer, &events).await {
            Ok(()) => Ok(customer),
            Err(WriteError::Conflict) => Err(RegisterError::Contended),
            Err(WriteError::Storage(err)) => Err(RegisterError::Storage(err)),
        }
    })
    .await?;
    platform::metrics::count("CustomersRegistered", 1);
    Ok(customer)
}

/// Why a customer is not shown.
#[derive(Debug, thiserror::Error)]
pub enum GetError {
    /// Unknown, or another's (404: nobody learns that it exists).
    #[error("no customer {0}")]
    NotFound(CustomerNo),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Customer `no` as `subject` may see it: their own, or any for the insurance manager
/// (`manager`).
///
/// # Errors
/// [`GetError`].
pub async fn get(
    customers: &impl Customers,
    no: &CustomerNo,
    subject: &str,
    manager: bool,
) -> Result<Customer, GetError> {
    match customers.find(no).await? {
        Some(customer) if manager || customer.subject == subject => Ok(customer),
        _ => Err(GetError::NotFound(no.clone())),
    }
}
