//! The barista's HTTP handlers (API Gateway HTTP API, payload 2.0).

use chrono::Utc;
use contracts::delivery::{DeliveryCompleted, DeliveryStarted};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use platform::EventEnvelope;
use platform::http::{ApiError, json, parse_json, path_parameter};
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::SOURCE;
use crate::domain::{DeliveryStatus, Ticket, TicketError};
use crate::store::{DynamoTickets, SaveError};

/// Most tickets `GET /deliveries` returns.
pub const LIST_LIMIT: i32 = 100;
const ATTEMPTS: usize = 3;

/// A ticket as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TicketView {
    /// Delivery id.
    pub delivery_id: String,
    /// The order.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// The day's waiting number.
    pub waiting_number: u32,
    /// The shop's day of the number, `YYYY-MM-DD`.
    pub business_day: String,
    /// `Waiting`, `Preparing`, `Completed` or `Cancelled`.
    pub status: String,
    /// When it was issued, RFC 3339 UTC.
    pub created_at: String,
    /// When it last changed, RFC 3339 UTC.
    pub updated_at: String,
}

impl From<&Ticket> for TicketView {
    fn from(ticket: &Ticket) -> Self {
        let at = |t: &chrono::DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        Self {
            delivery_id: ticket.id.clone(),
            order_id: ticket.order_id.clone(),
            customer_id: ticket.customer_id.clone(),
            waiting_number: ticket.waiting_number,
            business_day: ticket.business_day.clone(),
            status: ticket.status.as_str().to_owned(),
            created_at: at(&ticket.created_at),
            updated_at: at(&ticket.updated_at),
        }
    }
}

/// `GET /deliveries?status=Waiting` -> 200 `{"deliveries": [TicketView]}`, oldest first,
/// at most 100; `status` defaults to `Waiting`; 400 for an unknown status; 401 without a
/// token; 403 unless the caller is a barista.
pub async fn list_deliveries(tickets: &DynamoTickets, request: &Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(request)?.require("barista")?;
    let query = request.query_string_parameters();
    let status = match query.first("status") {
        None => DeliveryStatus::Waiting,
        Some(text) => DeliveryStatus::parse(text)
            .map_err(|_| ApiError::field("status", "must be Waiting, Preparing, Completed or Cancelled"))?,
    };
    let list: Vec<TicketView> = tickets.list(status, LIST_LIMIT).await?.iter().map(TicketView::from).collect();
    json(StatusCode::OK, &serde_json::json!({ "deliveries": list }))
}

/// Body of `PATCH /deliveries/{deliveryId}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    /// `Preparing` or `Completed`.
    pub status: Option<String>,
}

/// `PATCH /deliveries/{deliveryId}` `{status: "Preparing" | "Completed"}` -> 200
/// [`TicketView`]; 400 for another status; 404; 409 for a cancelled ticket or a move
/// backwards; 401 without a token; 403 unless the caller is a barista. The same status
/// again answers 200 and changes nothing. Emits
/// `DeliveryStarted` (Preparing) or `DeliveryCompleted` (Completed).
pub async fn change_delivery(tickets: &DynamoTickets, request: &Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(request)?.require("barista")?;
    let id = path_parameter(request, "deliveryId")?;
    let body: ChangeRequest = parse_json(request)?;
    let status_text = body.status.ok_or_else(|| ApiError::field("status", "is required"))?;
    let target = match DeliveryStatus::parse(&status_text) {
        Ok(status @ (DeliveryStatus::Preparing | DeliveryStatus::Completed)) => status,
        _ => return Err(ApiError::field("status", "must be Preparing or Completed")),
    };
    let not_found = || ApiError::NotFound(format!("delivery {id} not found"));
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(not_found());
    }
    let span = tracing::info_span!("change_delivery", delivery_id = %id);
    async {
        for _ in 0..ATTEMPTS {
            let ticket = tickets.find(&id).await?.ok_or_else(not_found)?;
            let next = match ticket.advance(target, Utc::now()) {
                Ok(Some(next)) => next,
                Ok(None) => return json(StatusCode::OK, &TicketView::from(&ticket)),
                Err(err @ (TicketError::Cancelled | TicketError::Backwards { .. })) => {
                    return Err(ApiError::Conflict(err.to_string()));
                }
                Err(TicketError::InvalidStatus | TicketError::AlreadyStarted) => {
                    return Err(ApiError::field("status", "must be Preparing or Completed"));
                }
            };
            let envelope = match target {
                DeliveryStatus::Preparing => EventEnvelope::new(
                    SOURCE,
                    &next.order_id,
                    None,
                    &DeliveryStarted {
                        delivery_id: next.id.clone(),
                        order_id: next.order_id.clone(),
                        customer_id: next.customer_id.clone(),
                    },
                ),
                _ => EventEnvelope::new(
                    SOURCE,
                    &next.order_id,
                    None,
                    &DeliveryCompleted {
                        delivery_id: next.id.clone(),
                        order_id: next.order_id.clone(),
                        customer_id: next.customer_id.clone(),
                        waiting_number: next.waiting_number,
                    },
                ),
            }
            .map_err(|err| ApiError::Internal(err.into()))?;
            match tickets.write(tickets.save_items(&next, ticket.version, &[envelope])?).await {
                Ok(()) => {
                    tracing::info!(correlation_id = %next.order_id, status = next.status.as_str(), "ticket moved");
                    return json(StatusCode::OK, &TicketView::from(&next));
                }
                Err(SaveError::Conflict) => tracing::info!("the ticket changed meanwhile; reading again"),
                Err(SaveError::Storage(err)) => return Err(ApiError::Internal(err)),
            }
        }
        Err(ApiError::Conflict("the ticket is changing; try again".to_owned()))
    }
    .instrument(span)
    .await
}
