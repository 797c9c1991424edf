//! What the report's use cases need from storage: the facts they record and the views
//! they read.

use std::collections::BTreeMap;
use std::future::Future;

use chrono::NaiveDate;
use platform::page::{Page, PageError, PageRequest};

use crate::domain::{OrderFact, OrderFacts, OrderId, ProductFacts, ProductId};

/// Whether [`ReportFacts::keep_product`] kept the state it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// It is the product's view now.
    Now,
    /// The view is at the same or a newer version; nothing changed.
    Stale,
}

/// Port: record the facts events tell (the consumer's side).
pub trait ReportFacts {
    /// Sets `fact` on the view of `order_id` (creating the view when it is the first fact),
    /// and nothing else: every other fact of the view stays as it is, so a repeated or
    /// reordered fact changes nothing. Once the placement is known, the view is listed
    /// under the shop day it carries.
    ///
    /// # Errors
    /// When storage fails; the fact was not set (retrying sets it).
    fn set_order_fact(&self, order_id: &OrderId, fact: &OrderFact) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Keeps `product` as the product's view unless the view is at the same or a newer
    /// version ([`Kept::Stale`], not an error).
    ///
    /// # Errors
    /// When storage fails; nothing changed.
    fn keep_product(&self, product: &ProductFacts) -> impl Future<Output = anyhow::Result<Kept>> + Send;
}

/// Port: read the views (the owner's side).
pub trait ReportViews {
    /// The views of the orders placed on the shop day `day`, in the order they were placed.
    ///
    /// # Errors
    /// When storage fails or a stored view is unreadable.
    fn orders_of_day(&self, day: NaiveDate) -> impl Future<Output = anyhow::Result<Vec<OrderFacts>>> + Send;

    /// One `page` of the views of the orders placed on the shop day `day`, in the order
    /// they were placed.
    ///
    /// # Errors
    /// [`PageError::InvalidCursor`] when the page's cursor is not one of this day's list;
    /// [`PageError::Storage`] when storage fails or a stored view is unreadable.
    fn orders_of_day_page(
        &self,
        day: NaiveDate,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<OrderFacts>, PageError>> + Send;

    /// The current name of every product seen, by id.
    ///
    /// # Errors
    /// When storage fails or a stored view is unreadable.
    fn product_names(&self) -> impl Future<Output = anyhow::Result<BTreeMap<ProductId, String>>> + Send;
}
