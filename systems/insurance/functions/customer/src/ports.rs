//! What customer's use cases need from storage. [`crate::store::DynamoCustomers`] implements
//! it on DynamoDB, the tests in memory.
//!
//! Error contract: [`WriteError::Conflict`] when a condition failed (the number is taken or the
//! subject registered meanwhile; nothing was written), [`WriteError::Storage`] otherwise.

use std::future::Future;

use platform::dynamo::WriteError;

use crate::domain::{Customer, CustomerEvent, CustomerNo};

/// The customers.
pub trait Customers {
    /// Customer `no`; `None` when unknown.
    ///
    /// # Errors
    /// When storage fails or the item does not read back.
    fn find(&self, no: &CustomerNo) -> impl Future<Output = anyhow::Result<Option<Customer>>> + Send;

    /// The customer number `subject` registered as, if any.
    ///
    /// # Errors
    /// When storage fails.
    fn number_of(&self, subject: &str) -> impl Future<Output = anyhow::Result<Option<CustomerNo>>> + Send;

    /// Stores a new customer (its number and its subject each only if new) with `events`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the number is taken or the subject registered already.
    fn register(
        &self,
        customer: &Customer,
        events: &[CustomerEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
}
