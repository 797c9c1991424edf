//! The delivery team's API Gateway handlers (HTTP API, payload 2.0): parse, call the use case,
//! map its answer. Every route needs a token in the `deliveryTeam` group (401 without a
//! token, from the gateway; 403 otherwise); errors are `application/problem+json`.

use chrono::SecondsFormat;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::http::{ApiError, json, path_parameter, query_parameter};
use platform::page::{PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::application::{self, DELIVERY_TEAM, TeamCommandError};
use crate::domain::{Delivery, DeliveryId, DeliveryStatus, Kind};
use crate::ports::{Deliveries, DeliveryQueue};

/// A ticket as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// Ticket id (UUID).
    pub delivery_id: String,
    /// The order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// `Delivery` or `Return`.
    #[schema(value_type = Kind)]
    pub kind: String,
    /// The clothes.
    pub product_id: String,
    /// How many.
    #[schema(minimum = 1)]
    pub qty: u32,
    /// `Received`, `Shipped`, `Cancelled` (a delivery) or `Requested`, `Collected` (a return).
    #[schema(value_type = DeliveryStatus)]
    pub status: String,
    /// When it was made, RFC 3339 UTC with milliseconds.
    pub created_at: String,
    /// When it last changed, RFC 3339 UTC with milliseconds.
    pub updated_at: String,
}

impl From<&Delivery> for DeliveryView {
    fn from(delivery: &Delivery) -> Self {
        let r = delivery.record();
        Self {
            delivery_id: r.id.to_string(),
            order_id: r.order_id.to_string(),
            customer_id: r.customer_id.to_string(),
            kind: r.kind.to_string(),
            product_id: r.product_id.to_string(),
            qty: r.qty.get(),
            status: r.status.to_string(),
            created_at: r.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            updated_at: r.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// The body of `GET /deliveries`: one page of the work queue.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct QueueView {
    /// Oldest first, at most `limit`.
    pub deliveries: Vec<DeliveryView>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

/// `GET /deliveries?kind=Delivery&status=Received&limit=&nextToken=` -> 200 [`QueueView`]: one
/// page of the team's work queue, oldest first, of `limit` tickets (default 100, at most 500);
/// `nextToken` is `null` on the last page, else passed back (with the same `kind` and
/// `status`) for the next one. `kind` defaults to `Delivery`, `status` to the kind's first
/// status (`Received`, or `Requested` for returns). 400 naming `kind` or `status` when
/// unknown or when the status is not one of the kind's, `limit` when it is not an integer
/// from 1 to 500, `nextToken` when it is malformed or from another queue.
///
/// # Errors
/// The problem to answer.
#[utoipa::path(get, path = "/deliveries", tag = "deliveries", operation_id = "listDeliveries",
    params(
        ("kind" = Option<Kind>, Query, description = "`Delivery` (default) or `Return`."),
        ("status" = Option<DeliveryStatus>, Query, description = "A status of the kind: `Received` (default), `Shipped`, `Cancelled` for deliveries; `Requested` (default), `Collected` for returns."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "Tickets per page, 1 to 500; 100 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page, with the same `kind` and `status`."),
    ),
    responses(
        (status = 200, description = "One page of the queue, oldest first; `nextToken` is `null` on the last page.", body = QueueView),
        (status = 403, description = "The caller is not in the delivery team.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_deliveries(queue: &impl DeliveryQueue, request: Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require(DELIVERY_TEAM)?;
    let kind = match query_parameter(&request, "kind")? {
        None => Kind::Delivery,
        Some(text) => text.parse().map_err(|_| ApiError::field("kind", "must be Delivery or Return"))?,
    };
    let status = match query_parameter(&request, "status")? {
        None => DeliveryStatus::first_of(kind),
        Some(text) => {
            text.parse::<DeliveryStatus>().ok().filter(|status| status.kind() == kind).ok_or_else(|| match kind {
                Kind::Delivery => ApiError::field("status", "must be Received, Shipped or Cancelled for kind Delivery"),
                Kind::Return => ApiError::field("status", "must be Requested or Collected for kind Return"),
            })?
        }
    };
    let page = PageRequest::from_request(&request, application::QUEUE_LIMIT)?;
    let tickets =
        application::list_queue(queue, kind, status, &page).await.map_err(|err: PageError| ApiError::from(err))?;
    let next_token = tickets.next_token();
    json(StatusCode::OK, &QueueView { deliveries: tickets.items.iter().map(DeliveryView::from).collect(), next_token })
}

impl From<TeamCommandError> for ApiError {
    fn from(err: TeamCommandError) -> Self {
        match err {
            TeamCommandError::NotFound(_) => Self::NotFound(err.to_string()),
            TeamCommandError::Ship(refused) => Self::Conflict(refused.to_string()),
            TeamCommandError::Collect(refused) => Self::Conflict(refused.to_string()),
            TeamCommandError::Contended => Self::Conflict(err.to_string()),
            TeamCommandError::Storage(err) => Self::Internal(err),
        }
    }
}

/// The ticket id of the path (after the role check); one that is no ticket id names no ticket.
fn ticket(request: &Request) -> Result<DeliveryId, ApiError> {
    platform::auth::caller(request)?.require(DELIVERY_TEAM)?;
    let raw = path_parameter(request, "deliveryId")?;
    DeliveryId::parse(&raw).map_err(|_| ApiError::NotFound(format!("delivery {raw} not found")))
}

/// `POST /deliveries/{deliveryId}/ship` -> 200 [`DeliveryView`] (`Shipped`; FR 3), after
/// emitting `Shipped`; 409 when it was cancelled or shipped already (or is a return); 404 when
/// unknown; 403 outside the delivery team.
///
/// # Errors
/// The problem to answer.
#[utoipa::path(post, path = "/deliveries/{deliveryId}/ship", tag = "deliveries", operation_id = "shipDelivery",
    params(("deliveryId" = String, Path, description = "The delivery ticket's id.")),
    responses(
        (status = 200, description = "Shipped.", body = DeliveryView),
        (status = 403, description = "The caller is not in the delivery team.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cancelled, shipped already, a return ticket, or the ticket is changing.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn ship_delivery(deliveries: &impl Deliveries, request: Request) -> Result<Response<Body>, ApiError> {
    let id = ticket(&request)?;
    let shipped = application::ship(deliveries, &id).await?;
    json(StatusCode::OK, &DeliveryView::from(&shipped))
}

/// `POST /deliveries/{deliveryId}/collect` -> 200 [`DeliveryView`] (`Collected`), after
/// emitting `ReturnCollected`; 409 when it is not a `Requested` return; 404 when unknown; 403
/// outside the delivery team.
///
/// # Errors
/// The problem to answer.
#[utoipa::path(post, path = "/deliveries/{deliveryId}/collect", tag = "deliveries", operation_id = "collectReturn",
    params(("deliveryId" = String, Path, description = "The return ticket's id.")),
    responses(
        (status = 200, description = "Collected.", body = DeliveryView),
        (status = 403, description = "The caller is not in the delivery team.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a requested return, or the ticket is changing.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn collect_return(deliveries: &impl Deliveries, request: Request) -> Result<Response<Body>, ApiError> {
    let id = ticket(&request)?;
    let collected = application::collect(deliveries, &id).await?;
    json(StatusCode::OK, &DeliveryView::from(&collected))
}

/// The delivery team's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_deliveries, ship_delivery, collect_return),
    tags((name = "deliveries", description = "The delivery team's work queue: ship deliveries, collect returns."))
)]
pub struct Api;
