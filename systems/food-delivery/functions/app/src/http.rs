//! API Gateway handlers of the app context (HTTP API, payload 2.0): parse (auth, body, path),
//! call the use case, map its errors in one place. Every route but `GET /menu` needs a token
//! (401 without one, from the gateway); errors are `application/problem+json`.
//!
//! Who: the menu's changes are the store's (group `store`); `POST /orders`, `GET /orders` and
//! the cancel are the customers' (the token's `sub` is the customer id; the store gets 403);
//! `GET /orders/{orderId}` is its customer's or the store's. Another customer's order is 404,
//! so nobody learns that it exists.

use chrono::SecondsFormat;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::Won;
use platform::auth::Caller;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter, query_parameter};
use platform::idempotency::IdempotencyRecord;
use platform::page::{PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::application::{
    self, AddItemError, CancelOrderError, ChangeItemError, FirstAnswer, GetOrderError, MENU_LIMIT, ORDERS_LIMIT,
    PlaceOrderError, Placed, STORE,
};
use crate::domain::{CustomerId, ItemName, MenuItem, MenuStatus, Order, OrderId, OrderStatus, Quantity};
use crate::ports::{Menu, Orders, Pay, StoreDesk};
use crate::wiring;

/// An item on the menu, as `GET /menu` lists it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MenuEntry {
    /// The item's name, e.g. `"chicken"`.
    pub item: String,
    /// Its price in won.
    #[schema(value_type = u64, example = 18000)]
    pub price: Won,
}

/// A menu item as the store sees it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MenuItemView {
    /// The item's name.
    pub item: String,
    /// Its price in won.
    #[schema(value_type = u64, example = 18000)]
    pub price: Won,
    /// `OnSale` or `SoldOut`.
    #[schema(value_type = MenuStatus)]
    pub status: String,
}

impl From<&MenuItem> for MenuItemView {
    fn from(item: &MenuItem) -> Self {
        Self { item: item.name.to_string(), price: item.price, status: item.status.to_string() }
    }
}

/// An order as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    /// Order id (UUID).
    pub order_id: String,
    /// Who ordered (the token's `sub`).
    pub customer_id: String,
    /// `PaymentPending`, `Paid`, `Cooking`, `Dispatched`, `PaymentFailed` or `Cancelled`.
    #[schema(value_type = OrderStatus)]
    pub status: String,
    /// The menu item.
    pub item: String,
    /// How many, 1 to 99.
    #[schema(minimum = 1, maximum = 99)]
    pub quantity: u32,
    /// The menu price at the time of the order, in won.
    #[schema(value_type = u64)]
    pub unit_price: Won,
    /// `unitPrice x quantity`, in won.
    #[schema(value_type = u64, example = 18000)]
    pub amount: Won,
    /// Pay's payment id, once paid.
    pub payment_id: Option<String>,
    /// When it was ordered, RFC 3339 UTC with milliseconds.
    pub created_at: String,
    /// When it last changed, RFC 3339 UTC with milliseconds.
    pub updated_at: String,
}

impl From<&Order> for OrderView {
    fn from(order: &Order) -> Self {
        let r = order.record();
        Self {
            order_id: r.id.to_string(),
            customer_id: r.customer_id.to_string(),
            status: r.status.to_string(),
            item: r.item.to_string(),
            quantity: r.quantity.get(),
            unit_price: r.unit_price,
            amount: r.amount,
            payment_id: r.payment_id.as_ref().map(ToString::to_string),
            created_at: r.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            updated_at: r.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// The body of `GET /orders`: one page of the customer's orders.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct OrdersView {
    /// Newest first, at most `limit`.
    pub orders: Vec<OrderView>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

impl From<AddItemError> for ApiError {
    fn from(err: AddItemError) -> Self {
        match err {
            AddItemError::Exists(_) => Self::Conflict(err.to_string()),
            AddItemError::Storage(err) => Self::Internal(err),
        }
    }
}

impl From<ChangeItemError> for ApiError {
    fn from(err: ChangeItemError) -> Self {
        match err {
            ChangeItemError::NotFound(_) => Self::NotFound(err.to_string()),
            ChangeItemError::Contended => Self::Conflict(err.to_string()),
            ChangeItemError::Storage(err) => Self::Internal(err),
        }
    }
}

/// Body of `GET /menu`: one page of the items on sale.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MenuView {
    /// The items on sale, by name, at most `limit`.
    pub items: Vec<MenuEntry>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

/// `GET /menu?limit=&nextToken=` (public, no token) -> 200 [`MenuView`] `{"items": [{item,
/// price}], "nextToken": string | null}`: one page of the items on sale, by name, of `limit`
/// items (default 100, at most 500: [`application::MENU_LIMIT`]); `nextToken` is `null` on the
/// last page, else passed back for the next one ([`platform::page`]). 400 naming `limit` when it
/// is not an integer from 1 to 500, `nextToken` when it is malformed or from another list.
///
/// # Errors
/// The [`ApiError`] of each refusal above; 500 when storage fails.
#[utoipa::path(get, path = "/menu", tag = "menu", operation_id = "getMenu", security(()),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "Items per page, 1 to 500; 100 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page."),
    ),
    responses(
        (status = 200, description = "One page of the items on sale, by name; `nextToken` is `null` on the last page.", body = MenuView),
        (status = 400, description = "`limit` or `nextToken` is invalid (the field is named).", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_menu<M: Menu>(deps: &wiring::MenuFunction<M>, request: Request) -> Result<Response<Body>, ApiError> {
    let page = PageRequest::from_request(&request, MENU_LIMIT)?;
    let items = application::menu_page(&deps.menu, &page).await.map_err(|err: PageError| ApiError::from(err))?;
    let next_token = items.next_token();
    let items = items.items.iter().map(|item| MenuEntry { item: item.name.to_string(), price: item.price }).collect();
    json(StatusCode::OK, &MenuView { items, next_token })
}

/// Body of `POST /menu`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"item": "chicken", "price": 18000}))]
pub struct AddItemRequest {
    /// The item's name: 1 to 50 characters, no control or invisible characters.
    #[schema(required = true, value_type = String)]
    pub item: Option<String>,
    /// Its price, whole won from 1 to 1000000.
    #[schema(required = true, value_type = i64, minimum = 1, maximum = 1_000_000)]
    pub price: Option<i64>,
}

/// `POST /menu` `{item, price}` -> 201 [`MenuItemView`] (`OnSale`), for the store; 409 when
/// the item exists; 400 naming `item` or `price`; 403 for anyone else.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/menu", tag = "menu", operation_id = "addMenuItem", request_body = AddItemRequest,
    responses(
        (status = 201, description = "Added, on sale.", body = MenuItemView),
        (status = 403, description = "The caller is not the store.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An item of that name exists.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_menu_item<M: Menu>(
    deps: &wiring::MenuFunction<M>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require(STORE)?;
    let body: AddItemRequest = parse_json(&request)?;
    let mut validation = Validation::new();
    let name = validation.required("item", body.item.as_deref(), ItemName::parse);
    let price = validation.required("price", body.price, crate::domain::price);
    validation.finish()?;
    let (Some(name), Some(price)) = (name, price) else {
        return Err(ApiError::field("item", "is required"));
    };
    let item = application::add_item(&deps.menu, name, price).await?;
    json(StatusCode::CREATED, &MenuItemView::from(&item))
}

/// Body of `PATCH /menu/{item}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "SoldOut"}))]
pub struct ChangeItemRequest {
    /// A new price, whole won from 1 to 1000000.
    #[schema(value_type = i64, minimum = 1, maximum = 1_000_000)]
    pub price: Option<i64>,
    /// `OnSale` or `SoldOut`.
    #[schema(value_type = MenuStatus)]
    pub status: Option<String>,
}

/// `PATCH /menu/{item}` `{price?, status?}` -> 200 [`MenuItemView`], for the store: a new
/// price, or `SoldOut` / `OnSale`; 404 when unknown; 400 naming `price` or `status` (one of
/// them is required); 403 for anyone else.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(patch, path = "/menu/{item}", tag = "menu", operation_id = "changeMenuItem", request_body = ChangeItemRequest,
    params(("item" = String, Path, description = "The item's name.")),
    responses(
        (status = 200, description = "Changed (or unchanged when nothing differs).", body = MenuItemView),
        (status = 403, description = "The caller is not the store.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The item is changing; try again.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change_menu_item<M: Menu>(
    deps: &wiring::MenuFunction<M>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require(STORE)?;
    let raw = path_parameter(&request, "item")?;
    let name = ItemName::parse(&raw).map_err(|_| ApiError::NotFound(format!("{raw} is not on the menu")))?;
    let body: ChangeItemRequest = parse_json(&request)?;
    let mut validation = Validation::new();
    let price = body.price.and_then(|p| validation.check("price", crate::domain::price(p)));
    let status = body
        .status
        .as_deref()
        .and_then(|s| validation.check("status", s.parse::<MenuStatus>().map_err(|_| "must be OnSale or SoldOut")));
    if body.price.is_none() && body.status.is_none() {
        validation.reject("price", "give price or status (or both)");
    }
    validation.finish()?;
    let item = application::change_item(&deps.menu, &name, price, status).await?;
    json(StatusCode::OK, &MenuItemView::from(&item))
}

/// The caller as a customer: 403 for the store or a `sub` that is no customer id.
fn customer(request: &Request) -> Result<(Caller, CustomerId), ApiError> {
    let caller = platform::auth::caller(request)?;
    if caller.is(STORE) {
        return Err(ApiError::Forbidden("this is for customers, not the store".to_owned()));
    }
    let id = CustomerId::parse(&caller.subject)
        .map_err(|_| ApiError::Forbidden("the token's subject is not a customer id".to_owned()))?;
    Ok((caller, id))
}

impl From<PlaceOrderError> for ApiError {
    fn from(err: PlaceOrderError) -> Self {
        match err {
            PlaceOrderError::Unorderable(_) | PlaceOrderError::KeyReused => Self::Unprocessable(err.to_string()),
            PlaceOrderError::PayUnavailable(err) => err.into_api_error("payment"),
            PlaceOrderError::Contended => {
                Self::Conflict("a request with the same key is in progress; try again".to_owned())
            }
            PlaceOrderError::Storage(err) => Self::Internal(err),
        }
    }
}

/// Body of `POST /orders`: the report's `{"item": "chicken"}`, with an optional quantity.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"item": "chicken"}))]
pub struct PlaceOrderRequest {
    /// The menu item, e.g. `"chicken"`.
    #[schema(required = true, value_type = String)]
    pub item: Option<String>,
    /// How many, 1 to 99; 1 when left out.
    #[schema(value_type = i64, minimum = 1, maximum = 99)]
    pub quantity: Option<i64>,
}

/// `POST /orders` `{item, quantity?}` (optional `Idempotency-Key`) -> 201 [`OrderView`]
/// (`Paid`) for the calling customer, paid at once through pay (FR 1-3; emits `OrderPlaced`).
/// 422 for an unknown or sold-out item, or a key reused with another body; 503 with
/// `Retry-After` when pay cannot answer in time (no order stands and nothing is charged; a
/// retry places a new order); 400 naming `item`, `quantity`, the header or an unknown field;
/// 403 for the store. A repeat of a key answers its first 201 or 422 again
/// (`Idempotent-Replayed: true`).
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(post, path = "/orders", tag = "orders", operation_id = "placeOrder",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Optional: a unique value per attempt, 1 to 255 visible ASCII characters; a retry with the same key and body gets the first 201 or 422 again. After a 503 there is no first answer: a retry places a new order.")),
    request_body = PlaceOrderRequest,
    responses(
        (status = 201, description = "Ordered and paid (or the first answer again, with `Idempotent-Replayed: true`).", body = OrderView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same key again."))),
        (status = 403, description = "The caller is the store.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A request with the same key is in progress; try again.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown or sold-out item, or the key was used with another body.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Pay cannot answer in time: no order, no charge (`Retry-After`).", body = platform::openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait."))),
    ))]
pub async fn place_order<A: Menu + Orders, P: Pay>(
    deps: &wiring::PlaceOrder<A, P>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let (_, customer_id) = customer(&request)?;
    let key = match request.headers().get(platform::idempotency::HEADER) {
        Some(_) => Some(platform::idempotency::key(&request)?),
        None => None,
    };
    let body: PlaceOrderRequest = parse_json(&request)?;
    let mut validation = Validation::new();
    let item = validation.required("item", body.item.as_deref(), ItemName::parse);
    let quantity = match body.quantity {
        None => Some(Quantity::ONE),
        Some(n) => validation.check("quantity", Quantity::parse(n)),
    };
    validation.finish()?;
    let (Some(item), Some(quantity)) = (item, quantity) else {
        return Err(ApiError::field("item", "is required"));
    };
    let command = application::PlaceOrder { customer_id, key, item, quantity };
    let placed = application::place_order(&deps.app, &deps.app, &deps.pay, &command, |order| {
        let body = serde_json::to_string(&OrderView::from(order))?;
        Ok(FirstAnswer { status: StatusCode::CREATED.as_u16(), body })
    })
    .await;
    match placed {
        Ok(Placed::New(order)) => json(StatusCode::CREATED, &OrderView::from(&order)),
        Ok(Placed::Replayed(record)) => platform::idempotency::replay(&record, &command.fingerprint()),
        Err(PlaceOrderError::Unorderable(refused)) => {
            let answer = ApiError::Unprocessable(refused.to_string());
            if let Some(key) = &command.key {
                remember_refusal(&deps.app, &command, key, &refused.to_string()).await;
            }
            Err(answer)
        }
        Err(err) => Err(err.into()),
    }
}

/// Keeps a 422 as the first answer under `key`, so a repeat answers it again (best effort: a
/// repeat that finds nothing is refused again the same way).
async fn remember_refusal(
    orders: &impl Orders,
    command: &application::PlaceOrder,
    key: &platform::idempotency::IdempotencyKey,
    detail: &str,
) {
    let response = ApiError::Unprocessable(detail.to_owned()).into_response();
    let body = String::from_utf8_lossy(response.body().as_ref()).into_owned();
    let record = IdempotencyRecord {
        fingerprint: command.fingerprint(),
        resource_id: String::new(),
        status: StatusCode::UNPROCESSABLE_ENTITY.as_u16(),
        response: body,
    };
    if let Err(err) = orders.remember(&command.customer_id, key, &record).await {
        tracing::warn!(error = %err, "the refusal could not be remembered under its key");
    }
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

/// `GET /orders/{orderId}` -> 200 [`OrderView`] with its status (FR 7), for its customer or
/// the store; 404 otherwise or when unknown.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/orders/{orderId}", tag = "orders", operation_id = "getOrder",
    params(("orderId" = String, Path, description = "The order's id.")),
    responses(
        (status = 200, description = "The order with its status.", body = OrderView),
        (status = 404, description = "No such order, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_order<O: Orders>(deps: &wiring::ReadOrders<O>, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    let id = order_id(&request)?;
    let order = application::get_order(&deps.orders, &caller, &id).await?;
    json(StatusCode::OK, &OrderView::from(&order))
}

/// `GET /orders?customerId=&limit=&nextToken=` -> 200 [`OrdersView`]: the caller's orders,
/// newest first, `limit` a page (default 50, at most 100). `customerId` may be left out (the
/// caller); another customer's is 403, as is the store. 400 naming `customerId`, `limit` or
/// `nextToken`.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/orders", tag = "orders", operation_id = "listOrders",
    params(
        ("customerId" = Option<String>, Query, description = "The caller's own id (the token's `sub`); may be left out."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Orders per page, 1 to 100; 50 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page."),
    ),
    responses(
        (status = 200, description = "One page of the caller's orders, newest first; `nextToken` is `null` on the last page.", body = OrdersView),
        (status = 403, description = "Another customer's orders, or the caller is the store.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_orders<O: Orders>(
    deps: &wiring::ReadOrders<O>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let (_, customer_id) = customer(&request)?;
    if let Some(asked) = query_parameter(&request, "customerId")? {
        CustomerId::parse(&asked).map_err(|err| ApiError::field("customerId", err.to_string()))?;
        if asked != customer_id.as_str() {
            return Err(ApiError::Forbidden("customerId must be your own".to_owned()));
        }
    }
    let page = PageRequest::from_request(&request, ORDERS_LIMIT)?;
    let orders = application::list_orders(&deps.orders, &customer_id, &page)
        .await
        .map_err(|err: PageError| ApiError::from(err))?;
    let next_token = orders.next_token();
    json(StatusCode::OK, &OrdersView { orders: orders.items.iter().map(OrderView::from).collect(), next_token })
}

impl From<CancelOrderError> for ApiError {
    fn from(err: CancelOrderError) -> Self {
        match err {
            CancelOrderError::NotFound(_) => Self::NotFound(err.to_string()),
            CancelOrderError::NotPaid(refused) => Self::Conflict(refused.to_string()),
            CancelOrderError::Unavailable(err) => err.into_api_error("the store"),
            CancelOrderError::Contended => Self::Conflict(err.to_string()),
            CancelOrderError::Storage(err) => Self::Internal(err),
        }
    }
}

/// `POST /orders/{orderId}/cancel` -> 200 [`OrderView`] (`Cancelled`) once the store agreed
/// (asked synchronously; FR 5-6), also when it was already cancelled; pay refunds on
/// `OrderCancelled`. 409 when cooking started or the order is not `Paid`; 404 when unknown or
/// not the caller's; 403 for the store; 503 with `Retry-After` when the store cannot answer in
/// time (the order is unchanged; a cancellation that completed anyway reaches it through
/// `StoreOrderCancelled`).
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/orders/{orderId}/cancel", tag = "orders", operation_id = "cancelOrder",
    params(("orderId" = String, Path, description = "The order's id.")),
    responses(
        (status = 200, description = "Cancelled (again, if it was already).", body = OrderView),
        (status = 403, description = "The caller is the store.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cooking started, or the order is not paid, or it is changing.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The store cannot answer now (`Retry-After`).", body = platform::openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait."))),
    ))]
pub async fn cancel_order<O: Orders, D: StoreDesk>(
    deps: &wiring::CancelOrder<O, D>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let (caller, _) = customer(&request)?;
    let id = order_id(&request)?;
    let order = application::cancel_order(&deps.orders, &deps.desk, &caller, &id).await?;
    json(StatusCode::OK, &OrderView::from(&order))
}

/// The app context's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_menu, add_menu_item, change_menu_item, place_order, get_order, list_orders, cancel_order),
    tags(
        (name = "menu", description = "The store owner's menu."),
        (name = "orders", description = "Ordering and paying at once, following, cancelling.")
    )
)]
pub struct Api;
