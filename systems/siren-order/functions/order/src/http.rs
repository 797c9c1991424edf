//! API Gateway handlers of the order context (HTTP API, payload 2.0): parse (caller, body,
//! path, query), call the use case, map its answer; every error becomes problem+json
//! through [`ApiError`], with one `From` per use case error.

use chrono::SecondsFormat;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use platform::Won;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use platform::idempotency::IdempotencyRecord;
use platform::page::PageRequest;
use serde::{Deserialize, Serialize};

use crate::application::{
    self, CancelOrderError, FirstAnswer, GetOrderError, ListOrdersError, PlaceOrderError, Placed,
};
use crate::domain::{
    CustomerId, MAX_LINES, Order, OrderId, OrderLine, OrderStatus, ProductId, Quantity, RequestedLine,
};
use crate::ports::{DeliveryDesk, Orders, ProductPricing};
use crate::wiring;

/// An order as the API shows it. Amounts in won, times RFC 3339 UTC with milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    /// Order id.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// `Placed`, `Waiting`, `Completed` or `Cancelled`.
    pub status: OrderStatus,
    /// Total in won.
    pub amount: Won,
    /// The lines with their prices at order time.
    pub lines: Vec<LineView>,
    /// The counter's waiting number, once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 1)]
    pub waiting_number: Option<u32>,
    /// The counter's delivery, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub delivery_id: Option<String>,
    /// Whether `POST /orders/{orderId}/cancel` can still succeed.
    pub cancellable: bool,
    /// When it was placed.
    pub placed_at: String,
    /// When it last changed.
    pub updated_at: String,
}

/// One line of an [`OrderView`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LineView {
    /// The product.
    pub product_id: String,
    /// Its name at order time.
    pub name: String,
    /// Unit price in won at order time.
    pub unit_price: Won,
    /// How many, 1 to 20.
    pub quantity: u32,
    /// `unitPrice * quantity`, in won.
    pub amount: Won,
}

impl From<&OrderLine> for LineView {
    fn from(line: &OrderLine) -> Self {
        Self {
            product_id: line.product_id().to_string(),
            name: line.name().to_owned(),
            unit_price: line.unit_price(),
            quantity: line.quantity().get(),
            amount: line.amount(),
        }
    }
}

impl From<&Order> for OrderView {
    fn from(order: &Order) -> Self {
        Self {
            order_id: order.id().to_string(),
            customer_id: order.customer_id().to_string(),
            status: order.status(),
            amount: order.amount(),
            lines: order.lines().iter().map(LineView::from).collect(),
            waiting_number: order.waiting_number(),
            delivery_id: order.delivery_id().map(ToString::to_string),
            cancellable: order.may_cancel(),
            placed_at: order.placed_at().to_rfc3339_opts(SecondsFormat::Millis, true),
            updated_at: order.updated_at().to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// One requested line of `POST /orders`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemRequest {
    /// The product.
    #[schema(required = true, value_type = String)]
    pub product_id: Option<String>,
    /// How many, 1 to 20.
    #[schema(required = true, value_type = i64, minimum = 1, maximum = 20)]
    pub quantity: Option<i64>,
}

/// Body of `POST /orders`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"items": [{"productId": "0193f1c2-7d1e-7c3a-9a2b-4f5e6d7c8b9a", "quantity": 2}]}))]
pub struct PlaceOrderRequest {
    /// Who orders: the caller; may be left out.
    #[schema(required = false, value_type = String)]
    pub customer_id: Option<String>,
    /// What, 1 to 20 lines, each product once.
    #[schema(required = true, value_type = Vec<ItemRequest>, min_items = 1, max_items = 20)]
    pub items: Option<Vec<ItemRequest>>,
}

/// The lines of a `POST /orders` body, every bad field named; a `customerId` in the body
/// must be a customer id (400) and the caller's own (403).
fn validate_place(body: PlaceOrderRequest, caller: &CustomerId) -> Result<Vec<RequestedLine>, ApiError> {
    let mut validation = Validation::new();
    if let Some(id) = &body.customer_id {
        match validation.check("customerId", CustomerId::parse(id)) {
            Some(id) if &id != caller => return Err(ApiError::Forbidden("customerId must be your own".to_owned())),
            _ => {}
        }
    }
    let mut lines: Vec<RequestedLine> = Vec::new();
    match &body.items {
        None => validation.missing("items"),
        Some(items) if items.is_empty() => validation.reject("items", "must hold at least one item"),
        Some(items) if items.len() > MAX_LINES => validation.reject("items", "must hold at most 20 items"),
        Some(items) => {
            for (index, item) in items.iter().enumerate() {
                let field = |name: &str| format!("items[{index}].{name}");
                let product_id = match item.product_id.as_deref() {
                    None => {
                        validation.missing(&field("productId"));
                        None
                    }
                    Some(id) => match validation.check(&field("productId"), ProductId::parse(id)) {
                        Some(id) if lines.iter().any(|line| line.product_id == id) => {
                            validation.reject(&field("productId"), "appears twice; use quantity");
                            None
                        }
                        other => other,
                    },
                };
                let quantity = match item.quantity {
                    Some(quantity) => validation.check(&field("quantity"), Quantity::parse(quantity)),
                    None => {
                        validation.missing(&field("quantity"));
                        None
                    }
                };
                if let (Some(product_id), Some(quantity)) = (product_id, quantity) {
                    lines.push(RequestedLine { product_id, quantity });
                }
            }
        }
    }
    validation.finish()?;
    Ok(lines)
}

impl From<PlaceOrderError> for ApiError {
    fn from(err: PlaceOrderError) -> Self {
        match err {
            PlaceOrderError::Refused(refused) => Self::Unprocessable(refused.to_string()),
            PlaceOrderError::KeyReused => Self::Unprocessable(err.to_string()),
            PlaceOrderError::Unavailable(err) => err.into_api_error("the menu"),
            PlaceOrderError::Contended => Self::Conflict("the order could not be stored; try again".to_owned()),
            PlaceOrderError::Storage(err) => Self::Internal(err),
        }
    }
}

/// `POST /orders` `{customerId?, items: [{productId, quantity}]}` with an
/// `Idempotency-Key` header -> 201 [`OrderView`] (`Placed`) for the calling customer (the
/// token's `sub`). 400 naming each bad field (the header, `customerId`, `items[i].…`);
/// 403 when `customerId` is someone else's or the token's subject is no customer id;
/// 422 for unknown or sold-out products (named) and for a key reused with another body;
/// 503 with `Retry-After` when the product context cannot answer. The same key with the
/// same body answers the first response again (`Idempotent-Replayed: true`). Prices come
/// from the product context. Emits `OrderPlaced`.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/orders", tag = "orders", operation_id = "placeOrder",
    params(("Idempotency-Key" = String, Header, pattern = "^[!-~]{1,255}$", description = "A unique value per attempt, 1 to 255 visible ASCII characters; a retry sends the same key and body and gets the first answer again.")),
    request_body = PlaceOrderRequest,
    responses(
        (status = 201, description = "Placed (or the first answer again, with `Idempotent-Replayed: true`).", body = OrderView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same key again."))),
        (status = 403, description = "`customerId` is someone else's, or the token's `sub` is no customer id.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown or sold-out products (named), or the key was used with another body.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The order could not be stored; try again.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The menu cannot answer now (`Retry-After`).", body = platform::openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait."))),
    ))]
pub async fn place_order<O: Orders, P: ProductPricing>(
    deps: &wiring::PlaceOrder<O, P>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    let customer_id = CustomerId::parse(&caller.subject)
        .map_err(|_| ApiError::Forbidden("the token's subject is not a customer id".to_owned()))?;
    let key = platform::idempotency::key(&request)?;
    let lines = validate_place(parse_json(&request)?, &customer_id)?;
    let command = application::PlaceOrder { customer_id, key, lines };
    let placed = application::place_order(&deps.orders, &deps.pricing, &command, |order| {
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

/// `GET /orders/{orderId}` -> 200 [`OrderView`] with status and waiting number, for its
/// customer, a barista or the owner; 404 otherwise or when unknown; 401 without a token.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/orders/{orderId}", tag = "orders", operation_id = "getOrder",
    params(("orderId" = String, Path, description = "The order's id.")),
    responses(
        (status = 200, description = "The order with its status and waiting number.", body = OrderView),
        (status = 404, description = "No such order, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_order<O: Orders>(deps: &wiring::GetOrder<O>, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    let id = order_id(&request)?;
    let order = application::get_order(&deps.orders, &caller, &id).await?;
    json(StatusCode::OK, &OrderView::from(&order))
}

/// Body of `GET /orders`: one page.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrdersView {
    /// Newest first.
    pub orders: Vec<OrderView>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

impl From<ListOrdersError> for ApiError {
    fn from(err: ListOrdersError) -> Self {
        match err {
            ListOrdersError::NotYours(_) => Self::NotFound(err.to_string()),
            ListOrdersError::Page(err) => err.into(),
        }
    }
}

/// `GET /orders?customerId=&limit=&nextToken=` -> 200 `{"orders": [OrderView],
/// "nextToken": string | null}`, newest first, one page of `limit` orders (default 50, at
/// most 100: [`application::LIST_LIMIT`]); `nextToken` is `null` on the last page, else
/// passed back (with the same `customerId`) for the next one ([`platform::page`]).
/// `customerId` defaults to the caller; another customer's -> 404 (the owner may ask for
/// anyone's); 400 naming `customerId` when it is no customer id, `limit` when it is not
/// an integer from 1 to 100, `nextToken` when it is malformed or from another customer's
/// list; 401 without a token.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/orders", tag = "orders", operation_id = "listOrders",
    params(
        ("customerId" = Option<String>, Query, description = "Whose orders: the caller's when left out; only an owner may name another customer."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Orders per page, 1 to 100; 50 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page, with the same `customerId`."),
    ),
    responses(
        (status = 200, description = "One page of the customer's orders, newest first; `nextToken` is `null` on the last page.", body = OrdersView),
        (status = 404, description = "Another customer's orders (only an owner may read them).", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_orders<O: Orders>(
    deps: &wiring::ListOrders<O>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    let query = request.query_string_parameters_ref().and_then(|query| query.first("customerId"));
    let customer_id = CustomerId::parse(query.unwrap_or(&caller.subject))
        .map_err(|err| ApiError::field("customerId", err.to_string()))?;
    let page = PageRequest::from_request(&request, application::LIST_LIMIT)?;
    let orders = application::list_orders(&deps.orders, &caller, &customer_id, &page).await?;
    let next_token = orders.next_token();
    json(StatusCode::OK, &OrdersView { orders: orders.items.iter().map(OrderView::from).collect(), next_token })
}

impl From<CancelOrderError> for ApiError {
    fn from(err: CancelOrderError) -> Self {
        match err {
            CancelOrderError::NotFound(_) => Self::NotFound(err.to_string()),
            CancelOrderError::AlreadyStarted(refused) => Self::Conflict(refused.to_string()),
            CancelOrderError::Unavailable(err) => err.into_api_error("the counter"),
            CancelOrderError::Contended => Self::Conflict("the order is changing; try again".to_owned()),
            CancelOrderError::Storage(err) => Self::Internal(err),
        }
    }
}

/// `POST /orders/{orderId}/cancel` -> 200 [`OrderView`] (`Cancelled`) if the counter has
/// not started it (the counter is asked synchronously); 409 if it has; 404 when unknown or
/// not the caller's; 503 with `Retry-After` if the counter cannot answer; 401 without a
/// token. Cancelling a cancelled order answers it again. Emits `OrderCancelled`.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/orders/{orderId}/cancel", tag = "orders", operation_id = "cancelOrder",
    params(("orderId" = String, Path, description = "The order's id.")),
    responses(
        (status = 200, description = "Cancelled (again, if it was already).", body = OrderView),
        (status = 404, description = "No such order, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The counter has started it, or the order is changing.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The counter cannot answer now (`Retry-After`).", body = platform::openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait."))),
    ))]
pub async fn cancel_order<O: Orders, D: DeliveryDesk>(
    deps: &wiring::CancelOrder<O, D>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    let id = order_id(&request)?;
    let order = application::cancel_order(&deps.orders, &deps.desk, &caller, &id).await?;
    json(StatusCode::OK, &OrderView::from(&order))
}

/// The order context's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(place_order, get_order, list_orders, cancel_order),
    tags((name = "orders", description = "Placing, following and cancelling orders."))
)]
pub struct Api;
