//! HTTP handlers of the product context (API Gateway HTTP API, payload 2.0).

use chrono::Utc;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::EventEnvelope;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::SOURCE;
use crate::domain::{Category, ChangeProduct, Price, Product, ProductId, ProductName, ProductStatus, RegisterProduct};
use crate::events::{ProductChanged, ProductRegistered};
use crate::store::{ProductReader, ProductWriter, SaveError};

/// Attempts of a `PATCH` that keeps meeting concurrent changes before it answers 409.
const CHANGE_ATTEMPTS: usize = 3;

/// A product as the API shows it. `price` is in won.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProductView {
    /// Product id.
    pub product_id: String,
    /// Name.
    pub name: String,
    /// Price in won.
    pub price: u64,
    /// Category, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `OnSale` or `SoldOut`.
    pub status: String,
    /// Version, +1 per change.
    pub version: u64,
}

impl From<&Product> for ProductView {
    fn from(product: &Product) -> Self {
        Self {
            product_id: product.id.as_str().to_owned(),
            name: product.name.as_str().to_owned(),
            price: product.price.as_won(),
            category: product.category.as_ref().map(|c| c.as_str().to_owned()),
            status: product.status.as_str().to_owned(),
            version: product.version,
        }
    }
}

/// `GET /products` -> 200 `{"products": [ProductView]}`: the products on sale, by name.
pub async fn list_products<R: ProductReader>(reader: &R) -> Result<Response<Body>, ApiError> {
    let products: Vec<ProductView> = reader.menu().await?.iter().map(ProductView::from).collect();
    json(StatusCode::OK, &serde_json::json!({ "products": products }))
}

fn product_id(request: &Request) -> Result<(String, Option<ProductId>), ApiError> {
    let raw = path_parameter(request, "productId")?;
    let id = ProductId::parse(&raw).ok();
    Ok((raw, id))
}

/// `GET /products/{productId}` -> 200 [`ProductView`] whatever its status; 404 if unknown.
pub async fn get_product<R: ProductReader>(reader: &R, request: &Request) -> Result<Response<Body>, ApiError> {
    let (raw, id) = product_id(request)?;
    let not_found = || ApiError::NotFound(format!("product {raw} not found"));
    let product = match id {
        Some(id) => reader.find(&id).await?,
        None => None,
    };
    product.map_or_else(|| Err(not_found()), |product| json(StatusCode::OK, &ProductView::from(&product)))
}

/// Body of `POST /products`. `price` is in won.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterRequest {
    /// Name, 1-100 characters.
    pub name: Option<String>,
    /// Price in won, 1..=1,000,000.
    pub price: Option<i64>,
    /// Optional category, 1-50 characters.
    pub category: Option<String>,
}

/// `POST /products` `{name, price, category?}` -> 201 [`ProductView`] (OnSale, version 1);
/// 400 naming each bad field; 401 without a token; 403 unless the caller is an owner.
/// Emits `ProductRegistered`.
pub async fn register_product<W: ProductWriter>(writer: &W, request: &Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(request)?.require("owner")?;
    let body: RegisterRequest = parse_json(request)?;
    let mut validation = Validation::new();
    let name = match &body.name {
        Some(name) => validation.check("name", ProductName::parse(name)),
        None => {
            validation.missing("name");
            None
        }
    };
    let price = match body.price {
        Some(price) => validation.check("price", Price::won(price)),
        None => {
            validation.missing("price");
            None
        }
    };
    let category = body.category.as_deref().and_then(|c| validation.check("category", Category::parse(c)));
    validation.finish()?;
    let (Some(name), Some(price)) = (name, price) else {
        return Err(ApiError::Internal(anyhow::anyhow!("validation passed without values")));
    };
    let product = Product::register(RegisterProduct { name, price, category }, Utc::now());
    let span = tracing::info_span!("register_product", correlation_id = %product.id.as_str());
    async {
        let event = EventEnvelope::new(SOURCE, product.id.as_str(), None, &ProductRegistered::from(&product))
            .map_err(|err| ApiError::Internal(err.into()))?;
        match writer.add(&product, &[event]).await {
            Ok(()) => {
                tracing::info!("product registered");
                json(StatusCode::CREATED, &ProductView::from(&product))
            }
            Err(SaveError::Conflict) => Err(ApiError::Internal(anyhow::anyhow!("a fresh product id already existed"))),
            Err(SaveError::Storage(err)) => Err(ApiError::Internal(err)),
        }
    }
    .instrument(span)
    .await
}

/// Body of `PATCH /products/{productId}`; at least one field. `price` is in won.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeRequest {
    /// New price in won.
    pub price: Option<i64>,
    /// `OnSale` or `SoldOut`.
    pub status: Option<String>,
}

/// `PATCH /products/{productId}` `{price?, status?}` -> 200 [`ProductView`]; 400 for bad
/// or missing fields; 404 if unknown; 409 when concurrent changes keep winning. A change
/// to the current values answers 200 and emits nothing; otherwise emits `ProductChanged`.
/// 401 without a token; 403 unless the caller is an owner.
pub async fn change_product<S: ProductReader + ProductWriter>(
    store: &S,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(request)?.require("owner")?;
    let (raw, id) = product_id(request)?;
    let body: ChangeRequest = parse_json(request)?;
    let mut validation = Validation::new();
    let change = ChangeProduct {
        price: body.price.and_then(|p| validation.check("price", Price::won(p))),
        status: body.status.as_deref().and_then(|s| validation.check("status", ProductStatus::parse(s))),
    };
    if body.price.is_none() && body.status.is_none() {
        validation.reject("price", "give price or status (or both)");
        validation.reject("status", "give price or status (or both)");
    }
    validation.finish()?;
    let not_found = || ApiError::NotFound(format!("product {raw} not found"));
    let id = id.ok_or_else(not_found)?;
    let span = tracing::info_span!("change_product", correlation_id = %id.as_str());
    async {
        for _ in 0..CHANGE_ATTEMPTS {
            let current = store.find(&id).await?.ok_or_else(not_found)?;
            let Some(changed) = current.change(&change, Utc::now()) else {
                return json(StatusCode::OK, &ProductView::from(&current));
            };
            let event = EventEnvelope::new(SOURCE, id.as_str(), None, &ProductChanged::from(&changed))
                .map_err(|err| ApiError::Internal(err.into()))?;
            match store.save_change(&changed, current.version, &[event]).await {
                Ok(()) => {
                    tracing::info!(version = changed.version, "product changed");
                    return json(StatusCode::OK, &ProductView::from(&changed));
                }
                Err(SaveError::Conflict) => tracing::info!("concurrent change; reading again"),
                Err(SaveError::Storage(err)) => return Err(ApiError::Internal(err)),
            }
        }
        Err(ApiError::Conflict("the product is being changed by someone else; try again".to_owned()))
    }
    .instrument(span)
    .await
}
