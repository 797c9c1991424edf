//! API Gateway handlers of the order context (HTTP API, payload 2.0): parse (auth, body,
//! path), call the use case, map its errors in one place. Every route needs a token (401
//! without one, from the gateway); errors are `application/problem+json`.
//!
//! Who: `POST /orders`, `.../cancel` and `.../return` are the customers' (the token's `sub`
//! is the customer id; a caller in the `deliveryTeam` group gets 403); `GET /orders/{orderId}`
//! is its customer's or the delivery team's. Another customer's order is 404, so nobody learns
//! that it exists.

use chrono::SecondsFormat;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::auth::Caller;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use platform::idempotency::IdempotencyRecord;
use serde::{Deserialize, Serialize};

use crate::application::{self, ChangeOrderError, DELIVERY_TEAM, FirstAnswer, GetOrderError, PlaceOrderError, Placed};
use crate::domain::{CustomerId, Order, OrderId, OrderStatus, ProductId, Quantity};
use crate::ports::{DeliveryDesk, Orders};
use crate::wiring;

/// An order as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    /// Order id (UUID).
    pub order_id: String,
    /// Who ordered (the token's `sub`).
    pub customer_id: String,
    /// `Ordered`, `Shipped`, `ReturnRequested`, `Returned` or `Cancelled`.
    #[schema(value_type = OrderStatus)]
    pub status: String,
    /// The clothes, as ordered.
    pub product_id: String,
    /// How many, 1 to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub qty: u32,
    /// When it was placed, RFC 3339 UTC with milliseconds.
    pub ordered_at: String,
    /// When it last changed, RFC 3339 UTC with milliseconds.
    pub updated_at: String,
}

impl From<&Order> for OrderView {
    fn from(order: &Order) -> Self {
        Self {
            order_id: order.id().to_string(),
            customer_id: order.customer_id().to_string(),
            status: order.status().to_string(),
            product_id: order.product_id().to_string(),
            qty: order.qty().get(),
            ordered_at: order.ordered_at().to_rfc3339_opts(SecondsFormat::Millis, true),
            updated_at: order.updated_at().to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// Body of `POST /orders`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"productId": "1001", "qty": 5}))]
pub struct PlaceOrderRequest {
    /// Who orders: the caller; may be left out.
    #[schema(required = false, value_type = String)]
    pub customer_id: Option<String>,
    /// The clothes (1 to 255 characters, no whitespace), e.g. `"1001"`.
    #[schema(required = true, value_type = String)]
    pub product_id: Option<String>,
    /// How many, 1 to 100.
    #[schema(required = true, value_type = i64, minimum = 1, maximum = 100)]
    pub qty: Option<i64>,
}

/// The caller as a customer: 403 for the delivery team or a `sub` that is no customer id.
fn customer(request: &Request) -> Result<(Caller, CustomerId), ApiError> {
    let caller = platform::auth::caller(request)?;
    if caller.is(DELIVERY_TEAM) {
        return Err(ApiError::Forbidden("this is for customers, not the delivery team".to_owned()));
    }
    let id = CustomerId::parse(&caller.subject)
        .map_err(|_| ApiError::Forbidden("the token's subject is not a customer id".to_owned()))?;
    Ok((caller, id))
}

impl From<PlaceOrderError> for ApiError {
    fn from(err: PlaceOrderError) -> Self {
        match err {
            PlaceOrderError::KeyReused => Self::Unprocessable(err.to_string()),
            PlaceOrderError::Contended => Self::Conflict("the order could not be stored; try again".to_owned()),
            PlaceOrderError::Storage(err) => Self::Internal(err),
        }
    }
}

/// `POST /orders` `{productId, qty, customerId?}` with an `Idempotency-Key` header -> 201
/// [`OrderView`] (`Ordered`) for the calling customer (FR 1). 400 naming each bad field (the
/// header, `productId`, `qty`, `customerId`, an unknown field); 403 when `customerId` is
/// someone else's or the caller is the delivery team; 422 for a key reused with another body.
/// The same key with the same body answers the first response again
/// (`Idempotent-Replayed: true`). Emits `OrderPlaced` (FR 2: delivery receives it).
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/orders", tag = "orders", operation_id = "placeOrder",
    params(("Idempotency-Key" = String, Header, pattern = "^[!-~]{1,255}$", description = "A unique value per attempt, 1 to 255 visible ASCII characters; a retry sends the same key and body and gets the first answer again.")),
    request_body = PlaceOrderRequest,
    responses(
        (status = 201, description = "Ordered (or the first answer again, with `Idempotent-Replayed: true`).", body = OrderView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same key again."))),
        (status = 403, description = "`customerId` is someone else's, or the caller is the delivery team.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The order could not be stored; try again.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The key was used with another body.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn place_order<O: Orders>(
    deps: &wiring::PlaceOrder<O>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let (_, customer_id) = customer(&request)?;
    let key = platform::idempotency::key(&request)?;
    let body: PlaceOrderRequest = parse_json(&request)?;
    let mut validation = Validation::new();
    if let Some(id) = &body.customer_id
        && let Some(id) = validation.check("customerId", CustomerId::parse(id))
        && id != customer_id
    {
        return Err(ApiError::Forbidden("customerId must be your own".to_owned()));
    }
    let product_id = validation.required("productId", body.product_id.as_deref(), ProductId::parse);
    let qty = validation.required("qty", body.qty, Quantity::parse);
    validation.finish()?;
    let (Some(product_id), Some(qty)) = (product_id, qty) else {
        return Err(ApiError::field("productId", "is required"));
    };
    let command = application::PlaceOrder { customer_id, key, product_id, qty };
    let placed = application::place_order(&deps.orders, &command, |order| {
        let body = serde_json::to_string(&OrderView::from(order))?;
        Ok(FirstAnswer { status: StatusCode::CREATED.as_u16(), body })
    })
    .await?;
    match placed {
        Placed::New { answer, .. } => first_answer(&answer),
        Placed::Replayed(record) => platform::idempotency::replay(&record, &command.fingerprint()),
    }
}

/// The response of a first answer, as remembered.
fn first_answer(record: &IdempotencyRecord) -> Result<Response<Body>, ApiError> {
    let status = StatusCode::from_u16(record.status).map_err(|err| ApiError::Internal(err.into()))?;
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(record.response.clone()))
        .map_err(|err| ApiError::Internal(err.into()))
}

/// The order id of the path; one that is no order id names no order (404).
fn order_id(request: &Request) -> Result<OrderId, ApiError> {
    let raw = path_parameter(request, "orderId")?;
    OrderId::parse(&raw).map_err(|_| ApiError::NotFound(format!("order {raw} not found")))
}

impl From<GetOrderError> for ApiError {
    fn from(err: GetOrderError) -> Self {
        match err {
            GetOrderError::NotFound(_) => Self::NotFound(err.to_string()),
            GetOrderError::Storage(err) => Self::Internal(err),
        }
    }
}

/// `GET /orders/{orderId}` -> 200 [`OrderView`] with its status (FR 8), for its customer or
/// the delivery team; 404 otherwise or when unknown.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/orders/{orderId}", tag = "orders", operation_id = "getOrder",
    params(("orderId" = String, Path, description = "The order's id.")),
    responses(
        (status = 200, description = "The order with its status.", body = OrderView),
        (status = 404, description = "No such order, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_order<O: Orders>(deps: &wiring::GetOrder<O>, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    let id = order_id(&request)?;
    let order = application::get_order(&deps.orders, &caller, &id).await?;
    json(StatusCode::OK, &OrderView::from(&order))
}

impl From<ChangeOrderError> for ApiError {
    fn from(err: ChangeOrderError) -> Self {
        match err {
            ChangeOrderError::NotFound(_) => Self::NotFound(err.to_string()),
            ChangeOrderError::TooLate(refused) => Self::Conflict(refused.to_string()),
            ChangeOrderError::NotShipped(refused) => Self::Conflict(refused.to_string()),
            ChangeOrderError::Unavailable(err) => err.into_api_error("delivery"),
            ChangeOrderError::Contended => Self::Conflict(err.to_string()),
            ChangeOrderError::Storage(err) => Self::Internal(err),
        }
    }
}

/// `POST /orders/{orderId}/cancel` -> 200 [`OrderView`] (`Cancelled`) once delivery agreed
/// (asked synchronously; FR 6-7), also when it was already cancelled; 409 when it shipped or
/// was returned; 404 when unknown or not the caller's; 403 for the delivery team; 503 with
/// `Retry-After` when delivery cannot answer in time (the order stays `Ordered`; a
/// cancellation that completed anyway reaches it through `DeliveryCancelled`). Emits
/// `OrderCancelled`.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/orders/{orderId}/cancel", tag = "orders", operation_id = "cancelOrder",
    params(("orderId" = String, Path, description = "The order's id.")),
    responses(
        (status = 200, description = "Cancelled (again, if it was already).", body = OrderView),
        (status = 403, description = "The caller is the delivery team.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Shipped or returned, or the order is changing.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Delivery cannot answer now (`Retry-After`).", body = platform::openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait."))),
    ))]
pub async fn cancel_order<O: Orders, D: DeliveryDesk>(
    deps: &wiring::CancelOrder<O, D>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let (caller, _) = customer(&request)?;
    let id = order_id(&request)?;
    let order = application::cancel_order(&deps.orders, &deps.desk, &caller, &id).await?;
    json(StatusCode::OK, &OrderView::from(&order))
}

/// `POST /orders/{orderId}/return` -> 202 [`OrderView`] (`ReturnRequested`; FR 4), also when
/// it was already requested; 409 when the order is not `Shipped`; 404 when unknown or not the
/// caller's; 403 for the delivery team. Emits `ReturnRequested` (FR 5: the delivery team gets a
/// return ticket).
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/orders/{orderId}/return", tag = "orders", operation_id = "returnOrder",
    params(("orderId" = String, Path, description = "The order's id.")),
    responses(
        (status = 202, description = "Return requested (again, if it was already).", body = OrderView),
        (status = 403, description = "The caller is the delivery team.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The order is not shipped, or it is changing.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn return_order<O: Orders>(
    deps: &wiring::ReturnOrder<O>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let (caller, _) = customer(&request)?;
    let id = order_id(&request)?;
    let order = application::request_return(&deps.orders, &caller, &id).await?;
    json(StatusCode::ACCEPTED, &OrderView::from(&order))
}

/// The order context's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(place_order, get_order, cancel_order, return_order),
    tags((name = "orders", description = "Ordering, following, cancelling and returning clothes."))
)]
pub struct Api;
