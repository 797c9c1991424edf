//! The product context's use cases: load, decide (the domain), save. Who may call them
//! (the owner, for the writes) is checked at the edge.

use chrono::Utc;
use platform::dynamo::WriteError;
use platform::page::{Page, PageError, PageLimits, PageRequest};
use platform::retry::Conflict;
use tracing::Instrument;

use crate::domain::{NewProduct, Product, ProductChange, ProductId};
use crate::ports::{Menu, ProductBatch, ProductChanges, ProductLookup, ProductRegistry};

/// Why `register_product` failed; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum RegisterProductError {
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for RegisterProductError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Storage(anyhow::anyhow!("a freshly generated product id already existed")),
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

/// Adds `new` to the menu, on sale, with a fresh id; stores `ProductRegistered`.
///
/// # Errors
/// See [`RegisterProductError`].
pub async fn register_product(
    products: &impl ProductRegistry,
    new: NewProduct,
) -> Result<Product, RegisterProductError> {
    let (product, events) = Product::register(ProductId::generate(), new, Utc::now());
    let span = tracing::info_span!("register_product", correlation_id = %product.id);
    async {
        products.add(&product, &events).await?;
        tracing::info!("product registered");
        Ok(product)
    }
    .instrument(span)
    .await
}

/// Why `change_product` refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ChangeProductError {
    /// No product has this id.
    #[error("product {0} not found")]
    NotFound(String),
    /// Concurrent changes kept winning the product's version.
    #[error("the product is being changed concurrently")]
    Conflict,
    /// Storage failed.
    #[error(transparent)]
    Storage(anyhow::Error),
}

impl From<WriteError> for ChangeProductError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Conflict,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for ChangeProductError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict)
    }
}

/// Applies `change` to product `id` at its current version, reading again when another
/// change won; stores `ProductChanged`. A change to the current values answers the product
/// as it is and writes nothing.
///
/// # Errors
/// See [`ChangeProductError`].
#[tracing::instrument(skip_all, fields(correlation_id = %id))]
pub async fn change_product(
    products: &impl ProductChanges,
    id: &ProductId,
    change: &ProductChange,
) -> Result<Product, ChangeProductError> {
    platform::retry::on_conflict(|| async {
        let current = products
            .find(id)
            .await
            .map_err(ChangeProductError::Storage)?
            .ok_or_else(|| ChangeProductError::NotFound(id.to_string()))?;
        let Some((changed, events)) = current.change(change, Utc::now()) else { return Ok(current) };
        products.save(&changed, current.version, &events).await?;
        tracing::info!(version = changed.version, "product changed");
        Ok(changed)
    })
    .await
}

/// Why `get_product` found nothing to show.
#[derive(Debug, thiserror::Error)]
pub enum GetProductError {
    /// No product has this id.
    #[error("product {0} not found")]
    NotFound(String),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Product `id`, whatever its status.
///
/// # Errors
/// See [`GetProductError`].
pub async fn get_product(products: &impl ProductLookup, id: &ProductId) -> Result<Product, GetProductError> {
    products.find(id).await?.ok_or_else(|| GetProductError::NotFound(id.to_string()))
}

/// Page size of [`list_products`] (`GET /products`): 100 products without `limit`, at
/// most 500.
pub const MENU_LIMIT: PageLimits = PageLimits::new(100, 500);

/// Why `list_products` failed.
#[derive(Debug, thiserror::Error)]
pub enum ListProductsError {
    /// The page's cursor is not one of the menu, or storage failed.
    #[error(transparent)]
    Page(#[from] PageError),
}

/// One `page` of the menu: the products on sale, by name (sized within [`MENU_LIMIT`] by
/// the edge).
///
/// # Errors
/// See [`ListProductsError`].
pub async fn list_products(menu: &impl Menu, page: &PageRequest) -> Result<Page<Product>, ListProductsError> {
    Ok(menu.on_sale(page).await?)
}

/// Most ids one check may ask about.
pub const MAX_CHECKED: usize = 100;

/// The answer to a check: the products found and the ids that are not products, each in
/// the order first asked, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Products found.
    pub found: Vec<Product>,
    /// Ids asked for that are no product (or no product id at all), as given.
    pub unknown: Vec<String>,
}

/// Why `check_products` did not answer.
#[derive(Debug, thiserror::Error)]
pub enum CheckProductsError {
    /// No id, or more than [`MAX_CHECKED`].
    #[error("a check asks about 1 to {MAX_CHECKED} ids, not {0}")]
    InvalidCount(usize),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Which of `requested` are products (at what price, orderable or not), for the order
/// context before it accepts an order.
///
/// # Errors
/// See [`CheckProductsError`].
pub async fn check_products(products: &impl ProductBatch, requested: &[String]) -> Result<Checked, CheckProductsError> {
    if requested.is_empty() || requested.len() > MAX_CHECKED {
        return Err(CheckProductsError::InvalidCount(requested.len()));
    }
    // Once each, in the order first asked; two spellings of one product id are one product.
    let mut asked: Vec<(&str, Option<ProductId>)> = Vec::new();
    for raw in requested {
        let id = ProductId::parse(raw).ok();
        let seen = match &id {
            Some(id) => asked.iter().any(|(_, other)| other.as_ref() == Some(id)),
            None => asked.iter().any(|(other, _)| *other == raw.as_str()),
        };
        if !seen {
            asked.push((raw, id));
        }
    }
    let ids: Vec<ProductId> = asked.iter().filter_map(|(_, id)| id.clone()).collect();
    let mut found = products.find_many(&ids).await?;
    let mut checked = Checked { found: Vec::new(), unknown: Vec::new() };
    for (raw, id) in asked {
        match id.and_then(|id| found.iter().position(|product| product.id == id)) {
            Some(index) => checked.found.push(found.swap_remove(index)),
            None => checked.unknown.push(raw.to_owned()),
        }
    }
    Ok(checked)
}
