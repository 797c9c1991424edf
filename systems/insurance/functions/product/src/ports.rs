//! What product's use cases need from storage. [`crate::store::DynamoProducts`] implements it
//! on DynamoDB, the tests in memory.
//!
//! Error contract of every write: [`WriteError::Conflict`] when a condition failed (the code
//! exists, another writer changed the product first; nothing was written),
//! [`WriteError::Storage`] otherwise. A write given a consumed event stores the consumer's inbox
//! item in the same transaction: [`Applied::AlreadyDone`] when it was handled before.

use std::future::Future;

use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::{Product, ProductCode, ProductDescription, ProductEvent};

/// The products and their descriptions.
pub trait Products {
    /// Product `code`; `None` when unknown.
    ///
    /// # Errors
    /// When storage fails or the item does not read back.
    fn find(&self, code: &ProductCode) -> impl Future<Output = anyhow::Result<Option<Product>>> + Send;

    /// One page of the products on sale, by code.
    ///
    /// # Errors
    /// [`PageError::InvalidCursor`] for a cursor of another list; storage.
    fn on_sale(&self, page: &PageRequest) -> impl Future<Output = Result<Page<Product>, PageError>> + Send;

    /// Stores a new product.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the code exists.
    fn register(&self, product: &Product) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores a changed product if still at `expected_version`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs.
    fn save(&self, product: &Product, expected_version: u64) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stores `description` (only if none exists for its plan version) with `events` and the
    /// inbox item of `cause`, once.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when that plan version has a description already.
    fn issue_once(
        &self,
        cause: &EventEnvelope,
        description: &ProductDescription,
        events: &[ProductEvent],
    ) -> impl Future<Output = Result<Applied, WriteError>> + Send;
}
