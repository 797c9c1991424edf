//! API Gateway handlers of the room context. `GET /rooms` is public; registering and changing
//! are the manager's (group `manager`; 403 for anyone else, 401 without a token).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::Won;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use platform::page::PageRequest;
use serde::{Deserialize, Serialize};

use crate::application::{self, RoomError};
use crate::domain::{MAX_NAME, Room, RoomChange, RoomId, RoomStatus};
use crate::ports::Rooms;
use crate::wiring;

/// The group of the room team's tokens.
pub const MANAGER: &str = "manager";
/// The highest price of a night, in won.
pub const MAX_PRICE: i64 = 100_000_000;

/// A room as the manager sees it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomView {
    /// Room id (UUID).
    pub room_id: String,
    /// Its name.
    pub name: String,
    /// Price of a night, in won.
    #[schema(value_type = u64, example = 50000)]
    pub price_per_night: Won,
    /// `Available` or `Closed`.
    pub status: String,
}

impl From<&Room> for RoomView {
    fn from(r: &Room) -> Self {
        Self {
            room_id: r.id.to_string(),
            name: r.name.clone(),
            price_per_night: r.price_per_night,
            status: r.status.to_string(),
        }
    }
}

/// A bookable room, as `GET /rooms` lists it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomEntry {
    /// Room id.
    pub room_id: String,
    /// Its name.
    pub name: String,
    /// Price of a night, in won.
    #[schema(value_type = u64)]
    pub price_per_night: Won,
}

impl From<RoomError> for ApiError {
    fn from(err: RoomError) -> Self {
        match err {
            RoomError::NotFound(_) => Self::NotFound(err.to_string()),
            RoomError::Free(_) => Self::field("pricePerNight", err.to_string()),
            RoomError::Contended => Self::Conflict(err.to_string()),
            RoomError::Storage(err) => Self::Internal(err),
        }
    }
}

fn price(n: i64) -> Result<Won, String> {
    if (1..=MAX_PRICE).contains(&n) {
        Ok(Won::new(n.unsigned_abs()))
    } else {
        Err(format!("must be whole won from 1 to {MAX_PRICE}"))
    }
}

fn name(text: &str) -> Result<String, String> {
    let name = platform::text::bounded(text.trim(), MAX_NAME).map_err(|e| e.to_string())?;
    if name.is_empty() { Err("must not be empty".to_owned()) } else { Ok(name) }
}

/// Body of `POST /rooms`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegisterRoomRequest {
    /// 1 to 100 characters of clean text.
    #[schema(required = true, value_type = String)]
    pub name: Option<String>,
    /// Whole won from 1 to 100000000.
    #[schema(required = true, value_type = i64, minimum = 1, maximum = 100_000_000)]
    pub price_per_night: Option<i64>,
}

/// `POST /rooms` `{name, pricePerNight}` -> 201 [`RoomView`] (`Available`), for the manager;
/// 400 naming the field; 403 for anyone else.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/rooms", tag = "rooms", operation_id = "registerRoom", request_body = RegisterRoomRequest,
    responses(
        (status = 201, description = "Registered, Available.", body = RoomView),
        (status = 403, description = "The caller is not the manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn register<R: Rooms>(deps: &wiring::RoomFunction<R>, request: Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require(MANAGER)?;
    let body: RegisterRoomRequest = parse_json(&request)?;
    let mut validation = Validation::new();
    let name = validation.required("name", body.name.as_deref(), name);
    let price = validation.required("pricePerNight", body.price_per_night, price);
    validation.finish()?;
    let (Some(name), Some(price)) = (name, price) else {
        return Err(ApiError::field("name", "is required"));
    };
    let room = application::register(&deps.rooms, name, price).await?;
    json(StatusCode::CREATED, &RoomView::from(&room))
}

/// Body of `PATCH /rooms/{roomId}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangeRoomRequest {
    /// A new price, whole won from 1 to 100000000.
    #[schema(value_type = i64, minimum = 1, maximum = 100_000_000)]
    pub price_per_night: Option<i64>,
    /// `Available` or `Closed`.
    pub status: Option<String>,
}

/// `PATCH /rooms/{roomId}` `{pricePerNight?, status?}` -> 200 [`RoomView`], for the manager;
/// 404 unknown; 400 naming the field (one of them is required); 403 for anyone else.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(patch, path = "/rooms/{roomId}", tag = "rooms", operation_id = "changeRoom", request_body = ChangeRoomRequest,
    params(("roomId" = String, Path, description = "The room's id.")),
    responses(
        (status = 200, description = "Changed (or unchanged when nothing differs).", body = RoomView),
        (status = 403, description = "The caller is not the manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such room.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The room is changing; try again.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change<R: Rooms>(deps: &wiring::RoomFunction<R>, request: Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require(MANAGER)?;
    let raw = path_parameter(&request, "roomId")?;
    let id = RoomId::parse(&raw).map_err(|_| ApiError::NotFound(format!("room {raw} not found")))?;
    let body: ChangeRoomRequest = parse_json(&request)?;
    let mut validation = Validation::new();
    let price_per_night = body.price_per_night.and_then(|p| validation.check("pricePerNight", price(p)));
    let status = body
        .status
        .as_deref()
        .and_then(|s| validation.check("status", s.parse::<RoomStatus>().map_err(|_| "must be Available or Closed")));
    if body.price_per_night.is_none() && body.status.is_none() {
        validation.reject("pricePerNight", "give pricePerNight or status (or both)");
    }
    validation.finish()?;
    let room = application::change(&deps.rooms, &id, RoomChange { price_per_night, status }).await?;
    json(StatusCode::OK, &RoomView::from(&room))
}

/// Body of `GET /rooms`: one page of the rooms that can be booked.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RoomsView {
    /// The rooms that can be booked, by name (then id).
    pub rooms: Vec<RoomEntry>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

/// `GET /rooms?limit=&nextToken=` (public) -> 200 [`RoomsView`] `{"rooms": [{roomId, name,
/// pricePerNight}], "nextToken": string | null}`: one page of the rooms that can be booked,
/// by name, of `limit` rooms (default 50, at most 100: [`application::ROOMS_LIMIT`]);
/// `nextToken` is `null` on the last page, else passed back for the next one
/// ([`platform::page`]).
///
/// # Errors
/// 400 naming `limit` when it is not an integer from 1 to 100, `nextToken` when it is
/// malformed or from another list; 500 when storage fails.
#[utoipa::path(get, path = "/rooms", tag = "rooms", operation_id = "listRooms", security(()),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Rooms per page, 1 to 100; 50 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page."),
    ),
    responses(
        (status = 200, description = "One page of the rooms that can be booked, by name; `nextToken` is `null` on the last page.", body = RoomsView),
    ))]
pub async fn list<R: Rooms>(deps: &wiring::RoomFunction<R>, request: Request) -> Result<Response<Body>, ApiError> {
    let page = PageRequest::from_request(&request, application::ROOMS_LIMIT)?;
    let rooms = application::bookable(&deps.rooms, &page).await?;
    let next_token = rooms.next_token();
    let rooms = rooms
        .items
        .iter()
        .map(|r| RoomEntry { room_id: r.id.to_string(), name: r.name.clone(), price_per_night: r.price_per_night })
        .collect();
    json(StatusCode::OK, &RoomsView { rooms, next_token })
}

/// The room context's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(register, change, list), tags((name = "rooms", description = "The room team's rooms.")))]
pub struct Api;
