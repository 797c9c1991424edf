//! The store's API Gateway handlers (HTTP API, payload 2.0): parse, call the use case, map its
//! answer. Every route needs a token in the `store` group (401 without a token, from the
//! gateway; 403 otherwise); errors are `application/problem+json`.

use chrono::{SecondsFormat, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::http::{ApiError, Validation, json, parse_json, path_parameter, query_parameter};
use platform::page::{PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::application::{self, MoveOrderError, STORE};
use crate::domain::{OrderId, StoreOrder, StoreStatus};
use crate::ports::{KitchenQueue, StoreOrders};

/// A store order as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoreOrderView {
    /// The order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// The menu item.
    pub item: String,
    /// How many.
    #[schema(minimum = 1)]
    pub quantity: u32,
    /// `Received`, `Cooking`, `Dispatched` or `Cancelled`.
    #[schema(value_type = StoreStatus)]
    pub status: String,
    /// When it was received, RFC 3339 UTC with milliseconds.
    pub received_at: String,
    /// When it last changed, RFC 3339 UTC with milliseconds.
    pub updated_at: String,
}

impl From<&StoreOrder> for StoreOrderView {
    fn from(o: &StoreOrder) -> Self {
        Self {
            order_id: o.order_id.to_string(),
            customer_id: o.customer_id.to_string(),
            item: o.item.clone(),
            quantity: o.quantity,
            status: o.status.to_string(),
            received_at: o.received_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            updated_at: o.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// The body of `GET /store/orders`: one page of the kitchen queue.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct KitchenQueueView {
    /// Oldest first, at most `limit`.
    #[serde(rename = "storeOrders")]
    pub store_orders: Vec<StoreOrderView>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

/// `GET /store/orders?status=Received&limit=&nextToken=` -> 200 [`KitchenQueueView`]: one page
/// of the store orders in `status` (default `Received`), oldest first, `limit` a page
/// (default 100, at most 500). 400 naming `status`, `limit` or `nextToken`; 403 outside the
/// store.
///
/// # Errors
/// The problem to answer.
#[utoipa::path(get, path = "/store/orders", tag = "store", operation_id = "listStoreOrders",
    params(
        ("status" = Option<StoreStatus>, Query, description = "`Received` (default), `Cooking`, `Dispatched` or `Cancelled`."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "Store orders per page, 1 to 500; 100 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page, with the same `status`."),
    ),
    responses(
        (status = 200, description = "One page of the queue, oldest first; `nextToken` is `null` on the last page.", body = KitchenQueueView),
        (status = 403, description = "The caller is not the store.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_store_orders(queue: &impl KitchenQueue, request: Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require(STORE)?;
    let status = match query_parameter(&request, "status")? {
        None => StoreStatus::Received,
        Some(text) => {
            text.parse().map_err(|_| ApiError::field("status", "must be Received, Cooking, Dispatched or Cancelled"))?
        }
    };
    let page = PageRequest::from_request(&request, application::QUEUE_LIMIT)?;
    let orders =
        application::kitchen_queue(queue, status, &page).await.map_err(|err: PageError| ApiError::from(err))?;
    let next_token = orders.next_token();
    json(
        StatusCode::OK,
        &KitchenQueueView { store_orders: orders.items.iter().map(StoreOrderView::from).collect(), next_token },
    )
}

impl From<MoveOrderError> for ApiError {
    fn from(err: MoveOrderError) -> Self {
        match err {
            MoveOrderError::NotFound(_) => Self::NotFound(err.to_string()),
            MoveOrderError::Refused(refused) => Self::Conflict(refused.to_string()),
            MoveOrderError::Contended => Self::Conflict(err.to_string()),
            MoveOrderError::Storage(err) => Self::Internal(err),
        }
    }
}

/// Body of `PATCH /store/orders/{orderId}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "Cooking"}))]
pub struct MoveRequest {
    /// `Cooking` or `Dispatched`.
    #[schema(required = true, value_type = String, example = "Cooking")]
    pub status: Option<String>,
}

/// `PATCH /store/orders/{orderId}` `{status: "Cooking" | "Dispatched"}` -> 200
/// [`StoreOrderView`] (FR 4), after emitting `CookingStarted` or `DeliveryDispatched`; the
/// status it is in already answers it unchanged. 409 for a step out of order (Received ->
/// Cooking -> Dispatched) or a cancelled order; 404 when unknown; 400 naming `status`; 403
/// outside the store.
///
/// # Errors
/// The problem to answer.
#[utoipa::path(patch, path = "/store/orders/{orderId}", tag = "store", operation_id = "moveStoreOrder", request_body = MoveRequest,
    params(("orderId" = String, Path, description = "The order's id.")),
    responses(
        (status = 200, description = "Moved on (or already there).", body = StoreOrderView),
        (status = 403, description = "The caller is not the store.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such store order.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A step out of order, a cancelled order, or it is changing.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn move_store_order(orders: &impl StoreOrders, request: Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require(STORE)?;
    let raw = path_parameter(&request, "orderId")?;
    let id = OrderId::parse(&raw).map_err(|_| ApiError::NotFound(format!("store order {raw} not found")))?;
    let body: MoveRequest = parse_json(&request)?;
    let mut validation = Validation::new();
    let to = validation.required("status", body.status.as_deref(), |s| match s.parse::<StoreStatus>() {
        Ok(to @ (StoreStatus::Cooking | StoreStatus::Dispatched)) => Ok(to),
        _ => Err("must be Cooking or Dispatched"),
    });
    validation.finish()?;
    let Some(to) = to else { return Err(ApiError::field("status", "is required")) };
    let moved = application::move_order(orders, &id, to, Utc::now()).await?;
    json(StatusCode::OK, &StoreOrderView::from(&moved))
}

/// The store's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_store_orders, move_store_order),
    tags((name = "store", description = "The store's kitchen queue: cook and dispatch."))
)]
pub struct Api;
