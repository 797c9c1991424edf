//! API Gateway handlers of the product context. Registering and changing need the
//! `productManager` group (403 otherwise); reading is public. Errors are
//! `application/problem+json`.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::Won;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use platform::page::{PageError, PageLimits, PageRequest};
use serde::{Deserialize, Serialize};

use crate::PRODUCT_MANAGER;
use crate::application::{self, ProductError};
use crate::domain::{Conditions, Product, ProductChange, ProductCode, ProductStatus};
use crate::ports::Products;
use crate::wiring;

/// Page size of `GET /products`: 50 by default, at most 200.
pub const PRODUCT_LIMIT: PageLimits = PageLimits::new(50, 200);

/// A product as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductView {
    /// Product code, e.g. `P00000005`.
    pub product_code: String,
    /// Name.
    pub product_name: String,
    /// Youngest entry age, full years.
    pub min_entry_age: u32,
    /// Oldest entry age, full years.
    pub max_entry_age: u32,
    /// Limit amount, won.
    #[schema(value_type = u64, example = 100_000_000)]
    pub max_sum_insured: Won,
    /// Monthly premium per 1,000,000 won insured, won.
    #[schema(value_type = u64, example = 1600)]
    pub premium_per_million: Won,
    /// `OnSale` or `Stopped`.
    pub status: String,
    /// 1 when registered, +1 per change.
    pub version: u64,
}

impl From<&Product> for ProductView {
    fn from(p: &Product) -> Self {
        Self {
            product_code: p.code.to_string(),
            product_name: p.name.clone(),
            min_entry_age: p.conditions.min_entry_age,
            max_entry_age: p.conditions.max_entry_age,
            max_sum_insured: p.conditions.max_sum_insured,
            premium_per_million: p.conditions.premium_per_million,
            status: p.status.to_string(),
            version: p.version,
        }
    }
}

/// Body of `GET /products`: one page of the products on sale.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ProductsView {
    /// On sale, by code, at most `limit`.
    pub products: Vec<ProductView>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

impl From<ProductError> for ApiError {
    fn from(err: ProductError) -> Self {
        match err {
            ProductError::NotFound(_) => Self::NotFound(err.to_string()),
            ProductError::Exists(_) | ProductError::Contended => Self::Conflict(err.to_string()),
            ProductError::Invalid(_) => Self::Unprocessable(err.to_string()),
            ProductError::Storage(err) => Self::Internal(err),
        }
    }
}

fn code(text: &str) -> Result<ProductCode, &'static str> {
    let shape = (1..=20).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric());
    if shape {
        ProductCode::parse(text).map_err(|_| "must be 1 to 20 letters or digits")
    } else {
        Err("must be 1 to 20 letters or digits")
    }
}

fn age(n: i64) -> Result<u32, &'static str> {
    u32::try_from(n).ok().filter(|a| *a <= 150).ok_or("must be a whole number of years from 0 to 150")
}

fn won(n: i64) -> Result<Won, &'static str> {
    u64::try_from(n).ok().filter(|w| *w > 0).map(Won::new).ok_or("must be a positive whole number of won")
}

fn name(text: &str) -> Result<String, String> {
    match platform::text::bounded(text, 100) {
        Ok(name) if !name.is_empty() => Ok(name),
        Ok(_) => Err("must not be empty".to_owned()),
        Err(err) => Err(err.to_string()),
    }
}

/// Body of `POST /products`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"productCode": "P00000005", "productName": "(무)재해사망보장", "minEntryAge": 15, "maxEntryAge": 60, "maxSumInsured": 100_000_000, "premiumPerMillion": 1600}))]
pub struct RegisterProductRequest {
    /// 1 to 20 letters or digits.
    #[schema(required = true, value_type = String)]
    pub product_code: Option<String>,
    /// 1 to 100 characters.
    #[schema(required = true, value_type = String)]
    pub product_name: Option<String>,
    /// 0 to 150.
    #[schema(required = true, value_type = i64)]
    pub min_entry_age: Option<i64>,
    /// 0 to 150, at least `minEntryAge`.
    #[schema(required = true, value_type = i64)]
    pub max_entry_age: Option<i64>,
    /// Won, at least 1,000,000.
    #[schema(required = true, value_type = i64)]
    pub max_sum_insured: Option<i64>,
    /// Won, more than 0.
    #[schema(required = true, value_type = i64)]
    pub premium_per_million: Option<i64>,
}

/// `POST /products` -> 201 [`ProductView`] (`OnSale`); 409 the code exists; 422 conditions that
/// make no product; 400 naming the field; 403 without the productManager group.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/products", tag = "products", operation_id = "registerProduct",
    request_body = RegisterProductRequest,
    responses(
        (status = 201, description = "Registered, on sale.", body = ProductView),
        (status = 403, description = "The caller is not a product manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code exists.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "minEntryAge above maxEntryAge, or maxSumInsured below 1000000.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn register<S: Products>(
    deps: &wiring::ProductFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require(PRODUCT_MANAGER)?;
    let body: RegisterProductRequest = parse_json(&request)?;
    let mut v = Validation::new();
    let product_code = v.required("productCode", body.product_code.as_deref(), code);
    let product_name = v.required("productName", body.product_name.as_deref(), name);
    let min_entry_age = v.required("minEntryAge", body.min_entry_age, age);
    let max_entry_age = v.required("maxEntryAge", body.max_entry_age, age);
    let max_sum_insured = v.required("maxSumInsured", body.max_sum_insured, won);
    let premium_per_million = v.required("premiumPerMillion", body.premium_per_million, won);
    v.finish()?;
    let (
        Some(code),
        Some(name),
        Some(min_entry_age),
        Some(max_entry_age),
        Some(max_sum_insured),
        Some(premium_per_million),
    ) = (product_code, product_name, min_entry_age, max_entry_age, max_sum_insured, premium_per_million)
    else {
        return Err(ApiError::field("productCode", "is required"));
    };
    let conditions = Conditions { min_entry_age, max_entry_age, max_sum_insured, premium_per_million };
    let product = application::register(&deps.products, code, name, conditions).await?;
    json(StatusCode::CREATED, &ProductView::from(&product))
}

/// Body of `PATCH /products/{productCode}`: what is given changes.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"status": "Stopped"}))]
pub struct ChangeProductRequest {
    /// 1 to 100 characters.
    #[schema(value_type = Option<String>)]
    pub product_name: Option<String>,
    /// 0 to 150.
    #[schema(value_type = Option<i64>)]
    pub min_entry_age: Option<i64>,
    /// 0 to 150.
    #[schema(value_type = Option<i64>)]
    pub max_entry_age: Option<i64>,
    /// Won, at least 1,000,000.
    #[schema(value_type = Option<i64>)]
    pub max_sum_insured: Option<i64>,
    /// Won, more than 0.
    #[schema(value_type = Option<i64>)]
    pub premium_per_million: Option<i64>,
    /// `OnSale` or `Stopped` (stop or resume sales).
    #[schema(value_type = Option<String>)]
    pub status: Option<String>,
}

/// `PATCH /products/{productCode}` -> 200 [`ProductView`]; 404 unknown; 422 conditions that make
/// no product; 400 naming the field (also an empty change); 403 without the productManager group.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(patch, path = "/products/{productCode}", tag = "products", operation_id = "changeProduct",
    params(("productCode" = String, Path, description = "The product code.")),
    request_body = ChangeProductRequest,
    responses(
        (status = 200, description = "Changed.", body = ProductView),
        (status = 403, description = "The caller is not a product manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed concurrently; try again.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The conditions after the change make no product.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change<S: Products>(
    deps: &wiring::ProductFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require(PRODUCT_MANAGER)?;
    let raw = path_parameter(&request, "productCode")?;
    let body: ChangeProductRequest = parse_json(&request)?;
    let mut v = Validation::new();
    let change = ProductChange {
        name: body.product_name.as_deref().and_then(|s| v.check("productName", name(s))),
        min_entry_age: body.min_entry_age.and_then(|n| v.check("minEntryAge", age(n))),
        max_entry_age: body.max_entry_age.and_then(|n| v.check("maxEntryAge", age(n))),
        max_sum_insured: body.max_sum_insured.and_then(|n| v.check("maxSumInsured", won(n))),
        premium_per_million: body.premium_per_million.and_then(|n| v.check("premiumPerMillion", won(n))),
        status: body
            .status
            .as_deref()
            .and_then(|s| v.check("status", s.parse::<ProductStatus>().map_err(|_| "must be OnSale or Stopped"))),
    };
    v.finish()?;
    if change == ProductChange::default() {
        return Err(ApiError::field("status", "give at least one field to change"));
    }
    let code = ProductCode::parse(&raw).map_err(|_| ApiError::NotFound(format!("product {raw} not found")))?;
    let product = application::change(&deps.products, &code, &change).await?;
    json(StatusCode::OK, &ProductView::from(&product))
}

/// `GET /products?limit=&nextToken=` (public) -> 200 [`ProductsView`]: one page of the products
/// on sale, by code (default 50, at most 200); 400 naming `limit` or `nextToken`.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/products", tag = "products", operation_id = "listProducts", security(()),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Products per page, 1 to 200; 50 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page."),
    ),
    responses(
        (status = 200, description = "One page of the products on sale; `nextToken` is `null` on the last page.", body = ProductsView),
        (status = 400, description = "`limit` or `nextToken` is invalid (the field is named).", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list<S: Products>(
    deps: &wiring::ProductFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let page = PageRequest::from_request(&request, PRODUCT_LIMIT)?;
    let products = application::list(&deps.products, &page).await.map_err(|err: PageError| ApiError::from(err))?;
    let next_token = products.next_token();
    json(StatusCode::OK, &ProductsView { products: products.items.iter().map(ProductView::from).collect(), next_token })
}

/// `GET /products/{productCode}` (public) -> 200 [`ProductView`]; 404 unknown.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/products/{productCode}", tag = "products", operation_id = "getProduct", security(()),
    params(("productCode" = String, Path, description = "The product code.")),
    responses(
        (status = 200, description = "The product.", body = ProductView),
        (status = 404, description = "No such product.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get<S: Products>(deps: &wiring::ProductFunction<S>, request: Request) -> Result<Response<Body>, ApiError> {
    let raw = path_parameter(&request, "productCode")?;
    let code = ProductCode::parse(&raw).map_err(|_| ApiError::NotFound(format!("product {raw} not found")))?;
    let product = application::get(&deps.products, &code).await?;
    json(StatusCode::OK, &ProductView::from(&product))
}

/// The product context's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(register, change, list, get), tags((name = "products", description = "Insurance products and their underwriting conditions (FR 1).")))]
pub struct Api;
