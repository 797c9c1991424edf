//! Product's use cases: [`register`], [`change`], [`get`], [`list`], [`quote`] (the synchronous
//! call) and [`issue_description`] (the reaction to `ProductDescriptionRequested`).

use chrono::Utc;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};
use platform::retry::{Conflict, on_conflict};

use crate::domain::{
    Conditions, InvalidConditions, Product, ProductChange, ProductCode, ProductDescription, QuoteAsk, Refusal,
};
use crate::ports::Products;

/// Why a product was not registered, changed or shown.
#[derive(Debug, thiserror::Error)]
pub enum ProductError {
    /// Unknown (404).
    #[error("no product {0}")]
    NotFound(ProductCode),
    /// The code exists (409).
    #[error("product {0} exists already")]
    Exists(ProductCode),
    /// Conditions that make no product (422).
    #[error(transparent)]
    Invalid(#[from] InvalidConditions),
    /// Concurrent writers kept winning (409).
    #[error("the product kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for ProductError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for ProductError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Registers product `code` (on sale).
///
/// # Errors
/// [`ProductError::Exists`], [`ProductError::Invalid`], storage; nothing is written.
pub async fn register(
    products: &impl Products,
    code: ProductCode,
    name: String,
    conditions: Conditions,
) -> Result<Product, ProductError> {
    let product = Product::register(code, name, conditions)?;
    match products.register(&product).await {
        Ok(()) => {
            platform::metrics::count("ProductsRegistered", 1);
            Ok(product)
        }
        Err(WriteError::Conflict) => Err(ProductError::Exists(product.code)),
        Err(WriteError::Storage(err)) => Err(ProductError::Storage(err)),
    }
}

/// Changes product `code` (conditions, name, status).
///
/// # Errors
/// [`ProductError`]; nothing is written.
pub async fn change(
    products: &impl Products,
    code: &ProductCode,
    change: &ProductChange,
) -> Result<Product, ProductError> {
    on_conflict(|| async {
        let current = get(products, code).await?;
        let changed = current.change(change)?;
        products.save(&changed, current.version).await?;
        Ok::<_, ProductError>(changed)
    })
    .await
}

/// Product `code`.
///
/// # Errors
/// [`ProductError::NotFound`], storage.
pub async fn get(products: &impl Products, code: &ProductCode) -> Result<Product, ProductError> {
    products.find(code).await?.ok_or_else(|| ProductError::NotFound(code.clone()))
}

/// One page of the products on sale.
///
/// # Errors
/// [`PageError`].
pub async fn list(products: &impl Products, page: &PageRequest) -> Result<Page<Product>, PageError> {
    products.on_sale(page).await
}

/// Product's answer to a quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quote {
    /// The premium, with the product's name.
    Quoted {
        /// The product's name.
        product_name: String,
        /// Monthly premium, won.
        monthly_premium: Won,
    },
    /// Every failing condition.
    Refused(Vec<Refusal>),
    /// No such product.
    UnknownProduct,
}

/// Quotes `ask` for product `code` with its underwriting conditions.
///
/// # Errors
/// Storage.
pub async fn quote(products: &impl Products, code: &ProductCode, ask: &QuoteAsk) -> anyhow::Result<Quote> {
    let Some(product) = products.find(code).await? else {
        return Ok(Quote::UnknownProduct);
    };
    Ok(match product.quote(ask) {
        Ok(monthly_premium) => {
            platform::metrics::count("QuotesGiven", 1);
            Quote::Quoted { product_name: product.name, monthly_premium }
        }
        Err(reasons) => {
            platform::metrics::count("QuotesRefused", 1);
            Quote::Refused(reasons)
        }
    })
}

/// What [`issue_description`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issued {
    /// Issued now (`ProductDescriptionIssued`).
    Now,
    /// That plan version has one already, or the event was handled before.
    Already,
}

/// Issues the product description of plan `plan` (number, version, customer) of product
/// `code` (event `cause`: `ProductDescriptionRequested`), once per plan version.
///
/// # Errors
/// Unknown product (the event is retried, then dead-lettered), storage.
pub async fn issue_description(
    products: &impl Products,
    code: &ProductCode,
    plan: (String, u64, String),
    cause: &EventEnvelope,
) -> Result<Issued, ProductError> {
    let product = get(products, code).await?;
    let (description, events) = ProductDescription::issue(&product, plan, Utc::now());
    match products.issue_once(cause, &description, &events).await {
        Ok(Applied::Now) => {
            platform::metrics::count("DescriptionsIssued", 1);
            Ok(Issued::Now)
        }
        Ok(Applied::AlreadyDone) | Err(WriteError::Conflict) => Ok(Issued::Already),
        Err(WriteError::Storage(err)) => Err(ProductError::Storage(err)),
    }
}
