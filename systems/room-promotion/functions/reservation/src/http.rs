//! API Gateway handlers of the reservation context (HTTP API, payload 2.0): parse (auth,
//! body, path), call the use case, map its errors in one place. Every route needs a token
//! (401 without one); errors are `application/problem+json`.
//!
//! Who: reserving, paying and cancelling are the customers' (the token's `sub` is the
//! customer id, its `name` their name; the manager gets 403); `GET /reservations/{id}` is its
//! customer's or the manager's. Another customer's reservation is 404, so nobody learns that
//! it exists.

use chrono::{NaiveDate, SecondsFormat};
use lambda_http::http::StatusCode;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use platform::Won;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use serde::{Deserialize, Serialize};

use crate::application::{self, FirstAnswer, MANAGER, PlaceError, PlaceReservation, Placed, ReservationError, Viewer};
use crate::domain::{CustomerId, Nights, Reservation, ReservationId, RoomId};
use crate::ports::{Pay, Reservations, Rooms};
use crate::wiring;

/// A reservation as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReservationView {
    /// Reservation id (UUID).
    pub reservation_id: String,
    /// Who reserved (the token's `sub`).
    pub customer_id: String,
    /// Their name.
    pub customer_name: String,
    /// The room.
    pub room_id: String,
    /// Its name at the time.
    pub room_name: String,
    /// First night, `YYYY-MM-DD` (Asia/Seoul).
    pub check_in: String,
    /// Nights, 1 to 30.
    pub nights: u32,
    /// `pricePerNight x nights`, in won.
    #[schema(value_type = u64, example = 100000)]
    pub amount: Won,
    /// `Reserved`, `Paid`, `Confirmed` or `Cancelled`.
    pub status: String,
    /// Its payment, once paid.
    pub payment_id: Option<String>,
    /// Its promotion, once confirmed.
    pub promotion: Option<PromotionView>,
    /// When placed, RFC 3339 UTC.
    pub created_at: String,
    /// When last changed, RFC 3339 UTC.
    pub updated_at: String,
}

/// A reservation's promotion.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PromotionView {
    /// `DISCOUNT COUPON`, `BEVERAGE` or `null`.
    pub service: Option<String>,
    /// Mileage points.
    pub points: u64,
}

impl From<&Reservation> for ReservationView {
    fn from(r: &Reservation) -> Self {
        Self {
            reservation_id: r.id.to_string(),
            customer_id: r.customer_id.to_string(),
            customer_name: r.customer_name.clone(),
            room_id: r.room_id.to_string(),
            room_name: r.room_name.clone(),
            check_in: r.check_in.to_string(),
            nights: r.nights.get(),
            amount: r.amount,
            status: r.status.to_string(),
            payment_id: r.payment_id.as_ref().map(ToString::to_string),
            promotion: r.promotion.as_ref().map(|b| PromotionView { service: b.service.clone(), points: b.points }),
            created_at: r.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            updated_at: r.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// The token's `name` claim, clean text of at most 100 characters; empty when absent.
fn caller_name(request: &Request) -> String {
    let Some(RequestContext::ApiGatewayV2(context)) = request.request_context_ref() else {
        return String::new();
    };
    context
        .authorizer
        .as_ref()
        .and_then(|a| a.jwt.as_ref())
        .and_then(|jwt| jwt.claims.get("name"))
        .and_then(|name| platform::text::bounded(name, 100).ok())
        .unwrap_or_default()
}

/// The caller as a customer: 403 for the manager or a `sub` that is no customer id.
fn customer(request: &Request) -> Result<CustomerId, ApiError> {
    let caller = platform::auth::caller(request)?;
    if caller.is(MANAGER) {
        return Err(ApiError::Forbidden("this is for customers, not the manager".to_owned()));
    }
    CustomerId::parse(&caller.subject)
        .map_err(|_| ApiError::Forbidden("the token's subject is not a customer id".to_owned()))
}

/// The reservation id of the path; one that is no reservation id names none (404).
fn reservation_id(request: &Request) -> Result<ReservationId, ApiError> {
    let raw = path_parameter(request, "reservationId")?;
    ReservationId::parse(&raw).map_err(|_| ApiError::NotFound(format!("reservation {raw} not found")))
}

impl From<PlaceError> for ApiError {
    fn from(err: PlaceError) -> Self {
        match err {
            PlaceError::UnknownRoom(_) => Self::NotFound(err.to_string()),
            PlaceError::Unbookable(_) | PlaceError::KeyReused => Self::Unprocessable(err.to_string()),
            PlaceError::NightTaken => Self::Conflict(err.to_string()),
            PlaceError::Storage(err) => Self::Internal(err),
        }
    }
}

impl From<ReservationError> for ApiError {
    fn from(err: ReservationError) -> Self {
        match err {
            ReservationError::NotFound(_) => Self::NotFound(err.to_string()),
            ReservationError::Cancelled(_) | ReservationError::Uncancellable(_) | ReservationError::Contended => {
                Self::Conflict(err.to_string())
            }
            ReservationError::PayUnavailable(err) => err.into_api_error("payment"),
            ReservationError::Storage(err) => Self::Internal(err),
        }
    }
}

/// Body of `POST /reservations`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"roomId": "019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90", "checkIn": "2026-12-01", "nights": 2}))]
pub struct PlaceReservationRequest {
    /// The room.
    #[schema(required = true, value_type = String)]
    pub room_id: Option<String>,
    /// First night, `YYYY-MM-DD`, not before today (Asia/Seoul).
    #[schema(required = true, value_type = String, format = Date)]
    pub check_in: Option<String>,
    /// Nights, 1 to 30.
    #[schema(required = true, value_type = i64, minimum = 1, maximum = 30)]
    pub nights: Option<i64>,
}

/// `POST /reservations` `{roomId, checkIn, nights}` (optional `Idempotency-Key`) -> 201
/// `{reservationId, status: "Reserved", amount, ...}`; 404 unknown room; 422 closed room, a
/// past date, or nights outside 1..30; 409 a night is taken; 400 naming the field.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/reservations", tag = "reservations", operation_id = "placeReservation",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Optional: a repeat with the same key and body gets the first 201 again.")),
    request_body = PlaceReservationRequest,
    responses(
        (status = 201, description = "Reserved (or the first answer again, with `Idempotent-Replayed: true`).", body = ReservationView),
        (status = 403, description = "The caller is the manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such room (yet).", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A night of the stay is taken.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Closed room, a past date, nights outside 1..30, or the key used with another body.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn place<S: Rooms + Reservations>(
    deps: &wiring::ReservationFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let customer_id = customer(&request)?;
    let key = match request.headers().get(platform::idempotency::HEADER) {
        Some(_) => Some(platform::idempotency::key(&request)?),
        None => None,
    };
    let body: PlaceReservationRequest = parse_json(&request)?;
    let mut validation = Validation::new();
    let room_id = validation.required("roomId", body.room_id.as_deref(), RoomId::parse);
    let check_in = validation.required("checkIn", body.check_in.as_deref(), |s: &str| {
        s.parse::<NaiveDate>().map_err(|_| "must be a date YYYY-MM-DD")
    });
    let nights = validation.required("nights", body.nights, Ok::<i64, &str>);
    validation.finish()?;
    let (Some(room_id), Some(check_in), Some(nights)) = (room_id, check_in, nights) else {
        return Err(ApiError::field("roomId", "is required"));
    };
    // A whole number outside 1..30 is well-formed: the domain refuses it (422, as the spec says).
    let nights = u32::try_from(nights)
        .ok()
        .and_then(|n| Nights::try_from(n).ok())
        .ok_or_else(|| ApiError::Unprocessable(format!("nights must be 1 to 30, not {nights}")))?;
    let command = PlaceReservation { customer: (customer_id, caller_name(&request)), key, room_id, check_in, nights };
    let placed = application::place(&deps.store, &deps.store, &command, |r| {
        let body = serde_json::to_string(&ReservationView::from(r))?;
        Ok(FirstAnswer { status: StatusCode::CREATED.as_u16(), body })
    })
    .await?;
    match placed {
        Placed::New(r) => json(StatusCode::CREATED, &ReservationView::from(&r)),
        Placed::Replayed(record) => platform::idempotency::replay(&record, &command.fingerprint()),
    }
}

/// `GET /reservations/{reservationId}` -> 200 [`ReservationView`] (status, amount,
/// promotion), for its customer or the manager; 404 otherwise.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/reservations/{reservationId}", tag = "reservations", operation_id = "getReservation",
    params(("reservationId" = String, Path, description = "The reservation's id.")),
    responses(
        (status = 200, description = "The reservation with its status, amount and promotion.", body = ReservationView),
        (status = 403, description = "The token's subject is not a customer id.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such reservation, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get<S: Reservations>(
    deps: &wiring::ReservationFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    let viewer = if caller.is(MANAGER) {
        Viewer::Manager
    } else {
        Viewer::Customer(CustomerId::parse(&caller.subject).map_err(|_| ApiError::Forbidden("not a customer".into()))?)
    };
    let id = reservation_id(&request)?;
    let reservation = application::get(&deps.store, &id, &viewer).await?;
    json(StatusCode::OK, &ReservationView::from(&reservation))
}

/// The body of a paid reservation: `{status: "Paid", paymentId, amount}` (and the rest).
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaidView {
    /// `Paid` (also when the reservation has moved on to `Confirmed`).
    pub status: String,
    /// The payment.
    pub payment_id: Option<String>,
    /// Paid, in won.
    #[schema(value_type = u64)]
    pub amount: Won,
    /// Its reservation's status now.
    pub reservation_status: String,
}

/// `POST /reservations/{reservationId}/pay` -> 200 `{status: "Paid", paymentId, amount}`, the
/// same 200 with the same payment when it is paid already; 409 cancelled; 503 with
/// `Retry-After` when payment cannot answer in time (it stays `Reserved`; a payment that
/// completes late reaches it by `PaymentApproved`); 404 unknown or another's; 403 manager.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(post, path = "/reservations/{reservationId}/pay", tag = "reservations", operation_id = "payReservation",
    params(("reservationId" = String, Path, description = "The reservation's id."),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Optional; paying is idempotent by reservation anyway.")),
    responses(
        (status = 200, description = "Paid (now, or before: the same payment).", body = PaidView),
        (status = 403, description = "The caller is the manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such reservation, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The reservation is cancelled.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Payment cannot answer in time (`Retry-After`); the reservation stays Reserved.", body = platform::openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait."))),
    ))]
pub async fn pay<S: Reservations, P: Pay>(
    deps: &wiring::PayReservation<S, P>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let customer_id = customer(&request)?;
    if request.headers().get(platform::idempotency::HEADER).is_some() {
        platform::idempotency::key(&request)?;
    }
    let id = reservation_id(&request)?;
    let paid = application::pay(&deps.store, &deps.pay, &id, &customer_id).await?;
    let view = PaidView {
        status: "Paid".to_owned(),
        payment_id: paid.payment_id.as_ref().map(ToString::to_string),
        amount: paid.amount,
        reservation_status: paid.status.to_string(),
    };
    json(StatusCode::OK, &view)
}

/// `POST /reservations/{reservationId}/cancel` -> 200 [`ReservationView`] (`Cancelled`); a
/// paid one is refunded by event. 409 already cancelled or check-in reached; 404 unknown or
/// another's; 403 manager.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/reservations/{reservationId}/cancel", tag = "reservations", operation_id = "cancelReservation",
    params(("reservationId" = String, Path, description = "The reservation's id.")),
    responses(
        (status = 200, description = "Cancelled; a paid one is refunded by event.", body = ReservationView),
        (status = 403, description = "The caller is the manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such reservation, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already cancelled, or check-in reached.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn cancel<S: Reservations>(
    deps: &wiring::ReservationFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let customer_id = customer(&request)?;
    let id = reservation_id(&request)?;
    let cancelled = application::cancel(&deps.store, &id, &customer_id).await?;
    json(StatusCode::OK, &ReservationView::from(&cancelled))
}

/// The reservation context's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(place, get, pay, cancel), tags((name = "reservations", description = "Reserving nights, paying, cancelling.")))]
pub struct Api;
