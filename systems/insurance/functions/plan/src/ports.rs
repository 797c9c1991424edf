//! What plan's use cases need: storage ([`Customers`], [`Plans`]) and product ([`Quote`]). No
//! AWS type crosses them; [`crate::store::DynamoPlans`] and [`crate::calls::QuoteCall`]
//! implement them, the tests in memory.
//!
//! Error contract of every write: [`WriteError::Conflict`] when a condition failed (a number or
//! key used, another writer first; nothing was written), [`WriteError::Storage`] otherwise. A
//! write given a consumed event stores the consumer's inbox item in the same transaction:
//! [`Applied::AlreadyDone`] when it was handled before.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;

use crate::domain::{CustomerCopy, Design, Plan, PlanEvent, PlanNo, Quoted};

/// Plan's copies of the customers.
pub trait Customers {
    /// The copy of customer `no`; `None` when no event told of it yet.
    ///
    /// # Errors
    /// When storage fails.
    fn find_customer(&self, no: &str) -> impl Future<Output = anyhow::Result<Option<CustomerCopy>>> + Send;

    /// Stores `copy` (only if new) with the inbox item of `cause`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when a copy exists already.
    fn save_customer_once(
        &self,
        cause: &EventEnvelope,
        copy: &CustomerCopy,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}

/// The plans.
pub trait Plans {
    /// Plan `no`; `None` when unknown.
    ///
    /// # Errors
    /// When storage fails or the item does not read back.
    fn find(&self, no: &PlanNo) -> impl Future<Output = anyhow::Result<Option<Plan>>> + Send;

    /// The first answer `subject` got under `key`, if any.
    ///
    /// # Errors
    /// When storage fails.
    fn find_idempotency(
        &self,
        subject: &str,
        key: &IdempotencyKey,
    ) -> impl Future<Output = anyhow::Result<Option<IdempotencyRecord>>> + Send;

    /// Stores a new plan (only if its number is new) with `events` and, when given, the first
    /// answer under a key (new), all or nothing.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the number or the key was used.
    fn create(
        &self,
        plan: &Plan,
        events: &[PlanEvent],
        answer: Option<(&IdempotencyKey, &IdempotencyRecord)>,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a changed plan if still at revision `expected`,
    /// with `events`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored plan changed meanwhile.
    fn save(
        &self,
        plan: &Plan,
        expected: u64,
        events: &[PlanEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a plan changed by the event `cause` if still at revision `expected`, with the inbox item
    /// of `cause`, once.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored plan changed meanwhile.
    fn save_once(
        &self,
        cause: &EventEnvelope,
        plan: &Plan,
        expected: u64,
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;

    /// Marks `cause` handled when it changes nothing here, so a repeat is known.
    ///
    /// # Errors
    /// When storage fails.
    fn skip_once(&self, cause: &EventEnvelope) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}

/// Product's answer to a quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteAnswer {
    /// Calculated.
    Quoted(Quoted),
    /// Every failing underwriting condition, as product named it.
    Refused(Vec<String>),
    /// No such product.
    UnknownProduct,
}

/// The synchronous quote (through the shared breaker, with a timeout).
pub trait Quote {
    /// Quotes `design` for a customer of `age`.
    ///
    /// # Errors
    /// [`InvokeError`]: the breaker is open, the call timed out or failed.
    fn quote(&self, design: &Design, age: u32) -> impl Future<Output = Result<QuoteAnswer, InvokeError>> + Send;
}
