//! What the use cases need from storage, one narrow trait each. The DynamoDB adapter is
//! [`crate::store`]; the tests have in-memory fakes.

use std::future::Future;

use platform::dynamo::WriteError;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::{Product, ProductEvent, ProductId};

/// Reads one product (`GET /products/{productId}`, and before a change).
pub trait ProductLookup {
    /// The product with `id`, whatever its status, read consistently; `None` if unknown.
    ///
    /// # Errors
    /// When storage fails or the stored item is corrupt.
    fn find(&self, id: &ProductId) -> impl Future<Output = anyhow::Result<Option<Product>>> + Send;
}

/// Reads many products at once (the synchronous check).
pub trait ProductBatch {
    /// The products that exist among `ids` (unknown ids are left out), in no order.
    ///
    /// # Errors
    /// When storage fails or an item is corrupt.
    fn find_many(&self, ids: &[ProductId]) -> impl Future<Output = anyhow::Result<Vec<Product>>> + Send;
}

/// Reads the menu (`GET /products`).
pub trait Menu {
    /// One `page` of the products on sale, sorted by name (case-insensitively).
    ///
    /// # Errors
    /// [`PageError::InvalidCursor`] when the page's cursor is not one of the menu;
    /// [`PageError::Storage`] when storage fails or an item is corrupt.
    fn on_sale(&self, page: &PageRequest) -> impl Future<Output = Result<Page<Product>, PageError>> + Send;
}

/// Adds products (`POST /products`).
pub trait ProductRegistry {
    /// Stores the new `product` and `events` (for the outbox) in one transaction.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] if the id exists; [`WriteError::Storage`] otherwise.
    fn add(&self, product: &Product, events: &[ProductEvent]) -> impl Future<Output = Result<(), WriteError>> + Send;
}

/// Changes products (`PATCH /products/{productId}`): read, then write if unchanged since.
pub trait ProductChanges: ProductLookup {
    /// Replaces the product with `product` and stores `events` (for the outbox), in one
    /// transaction, if the stored product is still at `expected_version`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs (read again and decide
    /// again); [`WriteError::Storage`] otherwise.
    fn save(
        &self,
        product: &Product,
        expected_version: u64,
        events: &[ProductEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
}
