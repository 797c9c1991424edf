//! The barista's API Gateway handlers (HTTP API, payload 2.0): parse, call the use case, map
//! its answer. Both routes need a token in the `barista` group (401 without a token, 403
//! otherwise); errors are `application/problem+json`.

use chrono::{SecondsFormat, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use platform::http::{ApiError, json, parse_json, path_parameter};
use platform::page::PageRequest;
use serde::{Deserialize, Serialize};

use crate::application::{self, ListQueueError, MoveDeliveryError};
use crate::domain::{Delivery, DeliveryId, DeliveryStatus, Progress};
use crate::ports::{Deliveries, DeliveryQueue};

/// A delivery as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// Delivery id (UUID).
    pub delivery_id: String,
    /// The order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// The day's waiting number, from 1.
    #[schema(minimum = 1)]
    pub waiting_number: u32,
    /// The shop's business day of the number, `YYYY-MM-DD`.
    pub business_day: String,
    /// `Waiting`, `Preparing`, `Completed` or `Cancelled`.
    #[schema(value_type = DeliveryStatus)]
    pub status: String,
    /// When it was issued, RFC 3339 UTC with milliseconds.
    pub created_at: String,
    /// When it last changed, RFC 3339 UTC with milliseconds.
    pub updated_at: String,
}

impl From<&Delivery> for DeliveryView {
    fn from(delivery: &Delivery) -> Self {
        Self {
            delivery_id: delivery.id().to_string(),
            order_id: delivery.order_id().to_string(),
            customer_id: delivery.customer_id().to_string(),
            waiting_number: delivery.waiting_number().get(),
            business_day: delivery.business_day().to_string(),
            status: delivery.status().to_string(),
            created_at: delivery.created_at().to_rfc3339_opts(SecondsFormat::Millis, true),
            updated_at: delivery.updated_at().to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// The body of `GET /deliveries`: one page of the queue.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct QueueView {
    /// Oldest first, at most `limit` ([`application::QUEUE_LIMIT`]).
    pub deliveries: Vec<DeliveryView>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

impl From<ListQueueError> for ApiError {
    fn from(err: ListQueueError) -> Self {
        match err {
            ListQueueError::Page(err) => err.into(),
        }
    }
}

/// `GET /deliveries?status=Waiting&limit=&nextToken=` -> 200 [`QueueView`]
/// `{"deliveries": [DeliveryView], "nextToken": string | null}`: one page of the counter's
/// queue, oldest first, of `limit` deliveries (default 100, at most 500:
/// [`application::QUEUE_LIMIT`]); `nextToken` is `null` on the last page, else passed back
/// (with the same `status`) for the next one ([`platform::page`]). `status` defaults to
/// `Waiting`; 400 naming `status` for an unknown status, `limit` when it is not an integer
/// from 1 to 500, `nextToken` when it is malformed or from another status's queue.
///
/// # Errors
/// The problem to answer.
#[utoipa::path(get, path = "/deliveries", tag = "counter", operation_id = "listDeliveries",
    params(
        ("status" = Option<DeliveryStatus>, Query, description = "Which deliveries: `Waiting` when left out."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "Deliveries per page, 1 to 500; 100 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page, with the same `status`."),
    ),
    responses(
        (status = 200, description = "One page of the queue, oldest first; `nextToken` is `null` on the last page.", body = QueueView),
        (status = 403, description = "The caller is not a barista.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_deliveries(queue: &impl DeliveryQueue, request: Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require("barista")?;
    let status = match request.query_string_parameters_ref().and_then(|query| query.first("status")) {
        None => DeliveryStatus::Waiting,
        Some(text) => {
            text.parse().map_err(|_| ApiError::field("status", "must be Waiting, Preparing, Completed or Cancelled"))?
        }
    };
    let page = PageRequest::from_request(&request, application::QUEUE_LIMIT)?;
    let deliveries = application::list_queue(queue, status, &page).await?;
    let next_token = deliveries.next_token();
    json(
        StatusCode::OK,
        &QueueView { deliveries: deliveries.items.iter().map(DeliveryView::from).collect(), next_token },
    )
}

/// The body of `PATCH /deliveries/{deliveryId}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChangeDeliveryRequest, example = json!({"status": "Preparing"}))]
pub struct ChangeRequest {
    /// `Preparing` or `Completed`.
    #[schema(required = true, value_type = String, pattern = "^(Preparing|Completed)$")]
    pub status: Option<String>,
}

impl From<MoveDeliveryError> for ApiError {
    fn from(err: MoveDeliveryError) -> Self {
        match err {
            MoveDeliveryError::NotFound(id) => Self::NotFound(format!("delivery {id} not found")),
            MoveDeliveryError::Refused(refused) => Self::Conflict(refused.to_string()),
            contended @ MoveDeliveryError::Contended => Self::Conflict(contended.to_string()),
            MoveDeliveryError::Storage(err) => Self::Internal(err),
        }
    }
}

/// `PATCH /deliveries/{deliveryId}` `{"status": "Preparing" | "Completed"}` -> 200
/// [`DeliveryView`], after emitting `DeliveryStarted` or `DeliveryCompleted`; the same status
/// again answers 200 and changes nothing. 400 naming `status` for a missing or other status;
/// 404 for an unknown delivery; 409 for a cancelled delivery or a move back.
///
/// # Errors
/// The problem to answer.
#[utoipa::path(patch, path = "/deliveries/{deliveryId}", tag = "counter", operation_id = "changeDelivery",
    params(("deliveryId" = String, Path, description = "The delivery's id.")),
    request_body = ChangeRequest,
    responses(
        (status = 200, description = "Moved (or already there).", body = DeliveryView),
        (status = 403, description = "The caller is not a barista.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cancelled, a move back, or the delivery is changing.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change_delivery(deliveries: &impl Deliveries, request: Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require("barista")?;
    let id = path_parameter(&request, "deliveryId")?;
    let body: ChangeRequest = parse_json(&request)?;
    let to: Progress = body
        .status
        .ok_or_else(|| ApiError::field("status", "is required"))?
        .parse()
        .map_err(|_| ApiError::field("status", "must be Preparing or Completed"))?;
    let id = DeliveryId::parse(&id).map_err(|_| ApiError::NotFound(format!("delivery {id} not found")))?;
    let moved = application::move_delivery(deliveries, &id, to, Utc::now()).await?;
    json(StatusCode::OK, &DeliveryView::from(&moved))
}

/// The counter's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_deliveries, change_delivery),
    tags((name = "counter", description = "The barista's queue of waiting numbers."))
)]
pub struct Api;
