//! HTTP handlers of the product context (API Gateway HTTP API, payload 2.0): check the
//! caller's role, parse the request, call the use case, answer JSON or problem+json.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::Won;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use platform::page::PageRequest;
use serde::{Deserialize, Serialize};

use crate::application::{self, ChangeProductError, GetProductError, ListProductsError, RegisterProductError};
use crate::domain::{Category, NewProduct, Price, Product, ProductChange, ProductId, ProductName, ProductStatus};
use crate::wiring;

/// The role that keeps the menu.
const OWNER: &str = "owner";

/// A product as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductView {
    /// Product id.
    pub product_id: String,
    /// Name.
    pub name: String,
    /// Price in won.
    pub price: Won,
    /// Category, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub category: Option<String>,
    /// `OnSale` or `SoldOut`.
    pub status: ProductStatus,
    /// Version, 1 when added, +1 per change.
    pub version: u64,
}

impl From<&Product> for ProductView {
    fn from(product: &Product) -> Self {
        Self {
            product_id: product.id.to_string(),
            name: product.name.as_str().to_owned(),
            price: product.price.amount(),
            category: product.category.as_ref().map(|category| category.as_str().to_owned()),
            status: product.status,
            version: product.version,
        }
    }
}

/// Body of `GET /products`: one page of the menu.
#[derive(Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct MenuView {
    /// The products on sale, by name.
    pub products: Vec<ProductView>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

impl From<ListProductsError> for ApiError {
    fn from(err: ListProductsError) -> Self {
        match err {
            ListProductsError::Page(err) => err.into(),
        }
    }
}

/// `GET /products?limit=&nextToken=` (public) -> 200 [`MenuView`] `{"products":
/// [ProductView], "nextToken": string | null}`: one page of the products on sale, by name,
/// of `limit` products (default 100, at most 500: [`application::MENU_LIMIT`]);
/// `nextToken` is `null` on the last page, else passed back for the next one
/// ([`platform::page`]). 400 naming `limit` when it is not an integer from 1 to 500,
/// `nextToken` when it is malformed or from another list.
///
/// # Errors
/// The problem the response carries.
#[utoipa::path(get, path = "/products", tag = "menu", operation_id = "listProducts", security(()),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "Products per page, 1 to 500; 100 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page."),
    ),
    responses(
        (status = 200, description = "One page of the products on sale, by name; `nextToken` is `null` on the last page.", body = MenuView),
    ))]
pub async fn list_products(deps: &wiring::ListProducts, request: Request) -> Result<Response<Body>, ApiError> {
    let page = PageRequest::from_request(&request, application::MENU_LIMIT)?;
    let menu = application::list_products(&deps.products, &page).await?;
    let next_token = menu.next_token();
    json(StatusCode::OK, &MenuView { products: menu.items.iter().map(ProductView::from).collect(), next_token })
}

impl From<GetProductError> for ApiError {
    fn from(err: GetProductError) -> Self {
        match err {
            GetProductError::NotFound(id) => Self::NotFound(format!("product {id} not found")),
            GetProductError::Storage(err) => Self::Internal(err),
        }
    }
}

/// `GET /products/{productId}` (public) -> 200 [`ProductView`] whatever its status; 404 if
/// unknown (or not a product id).
///
/// # Errors
/// The problem the response carries.
#[utoipa::path(get, path = "/products/{productId}", tag = "menu", operation_id = "getProduct", security(()),
    params(("productId" = String, Path, description = "The product's id.")),
    responses(
        (status = 200, description = "The product, whatever its status.", body = ProductView),
        (status = 404, description = "No such product.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_product(deps: &wiring::GetProduct, request: Request) -> Result<Response<Body>, ApiError> {
    let raw = path_parameter(&request, "productId")?;
    let id = ProductId::parse(&raw).map_err(|_| GetProductError::NotFound(raw.clone()))?;
    let product = application::get_product(&deps.products, &id).await?;
    json(StatusCode::OK, &ProductView::from(&product))
}

/// Body of `POST /products`; unknown fields are refused, naming them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = RegisterProductRequest, example = json!({"name": "Americano", "price": 4500, "category": "coffee"}))]
struct RegisterBody {
    /// Name on the menu, 1 to 100 characters (trimmed).
    #[schema(required = true, value_type = String, min_length = 1, max_length = 100)]
    name: Option<String>,
    /// Price in won, 1 to 1,000,000.
    #[schema(required = true, value_type = i64, minimum = 1, maximum = 1_000_000)]
    price: Option<i64>,
    /// Category, 1 to 50 characters (trimmed).
    #[schema(required = false, value_type = String, min_length = 1, max_length = 50)]
    category: Option<String>,
}

fn new_product(body: RegisterBody) -> Result<NewProduct, ApiError> {
    let mut validation = Validation::new();
    let name = validation.required("name", body.name, |name| ProductName::parse(&name));
    let price = validation.required("price", body.price, Price::won);
    let category = body.category.and_then(|category| validation.check("category", Category::parse(&category)));
    validation.finish()?;
    match (name, price) {
        (Some(name), Some(price)) => Ok(NewProduct { name, price, category }),
        _ => Err(ApiError::Internal(anyhow::anyhow!("validation passed without a name or a price"))),
    }
}

impl From<RegisterProductError> for ApiError {
    fn from(err: RegisterProductError) -> Self {
        match err {
            RegisterProductError::Storage(err) => Self::Internal(err),
        }
    }
}

/// `POST /products` `{name, price, category?}` (`price` in won, 1..=1,000,000) -> 201
/// [`ProductView`], on sale at version 1; 401 without a token; 403 unless the caller is
/// an owner; 400 naming each bad field. Emits `ProductRegistered`.
///
/// # Errors
/// The problem the response carries.
#[utoipa::path(post, path = "/products", tag = "menu", operation_id = "registerProduct",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "On sale at version 1.", body = ProductView),
        (status = 403, description = "The caller is not an owner.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn register_product(deps: &wiring::RegisterProduct, request: Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require(OWNER)?;
    let new = new_product(parse_json(&request)?)?;
    let product = application::register_product(&deps.products, new).await?;
    json(StatusCode::CREATED, &ProductView::from(&product))
}

/// Body of `PATCH /products/{productId}`; at least one field; unknown fields are refused.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = ChangeProductRequest, min_properties = 1, example = json!({"status": "SoldOut"}))]
struct ChangeBody {
    /// New price in won, 1 to 1,000,000.
    #[schema(required = false, value_type = i64, minimum = 1, maximum = 1_000_000)]
    price: Option<i64>,
    /// `OnSale` or `SoldOut`.
    #[schema(required = false, value_type = ProductStatus)]
    status: Option<String>,
}

fn product_change(body: ChangeBody) -> Result<ProductChange, ApiError> {
    let mut validation = Validation::new();
    if body.price.is_none() && body.status.is_none() {
        validation.reject("price", "give price or status (or both)");
        validation.reject("status", "give price or status (or both)");
    }
    let price = body.price.and_then(|price| validation.check("price", Price::won(price)));
    let status = body.status.and_then(|status| {
        validation.check("status", status.parse::<ProductStatus>().map_err(|_| "must be OnSale or SoldOut"))
    });
    validation.finish()?;
    Ok(ProductChange { price, status })
}

impl From<ChangeProductError> for ApiError {
    fn from(err: ChangeProductError) -> Self {
        match err {
            ChangeProductError::NotFound(id) => Self::NotFound(format!("product {id} not found")),
            ChangeProductError::Conflict => {
                Self::Conflict("the product is being changed by someone else; try again".to_owned())
            }
            ChangeProductError::Storage(err) => Self::Internal(err),
        }
    }
}

/// `PATCH /products/{productId}` `{price?, status?}` -> 200 [`ProductView`]; 401 without a
/// token; 403 unless the caller is an owner; 400 for bad or no fields; 404 if unknown; 409
/// when concurrent changes keep winning. A change to the current values answers 200 and
/// emits nothing; otherwise emits `ProductChanged`.
///
/// # Errors
/// The problem the response carries.
#[utoipa::path(patch, path = "/products/{productId}", tag = "menu", operation_id = "changeProduct",
    params(("productId" = String, Path, description = "The product's id.")),
    request_body = ChangeBody,
    responses(
        (status = 200, description = "The product as changed (a change to the current values changes nothing).", body = ProductView),
        (status = 403, description = "The caller is not an owner.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Concurrent changes kept winning; try again.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change_product(deps: &wiring::ChangeProduct, request: Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require(OWNER)?;
    let raw = path_parameter(&request, "productId")?;
    let change = product_change(parse_json(&request)?)?;
    let id = ProductId::parse(&raw).map_err(|_| ChangeProductError::NotFound(raw.clone()))?;
    let product = application::change_product(&deps.products, &id, &change).await?;
    json(StatusCode::OK, &ProductView::from(&product))
}

/// The menu's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_products, get_product, register_product, change_product),
    tags((name = "menu", description = "The menu: public to read, kept by the owner."))
)]
pub struct Api;
