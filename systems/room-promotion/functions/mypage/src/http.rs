//! `GET /mypage?customerId=`: the calling customer's page (reservations, promotions,
//! `pointBalance`). Another customer's id is 403; the manager is 403; a missing or malformed
//! `customerId` is 400.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::http::{ApiError, json, query_parameter};
use serde::{Deserialize, Serialize};

use crate::application;
use crate::domain::{PromotionLine, ReservationLine};
use crate::ports::MyPages;
use crate::wiring;

/// The group of the room team's tokens.
pub const MANAGER: &str = "manager";

/// The body of `GET /mypage`.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyPageView {
    /// The customer.
    pub customer_id: String,
    /// Their reservations, by id.
    pub reservations: Vec<ReservationLine>,
    /// Their promotions, by payment id.
    pub promotions: Vec<PromotionLine>,
    /// The sum of the points of `Granted` promotions.
    pub point_balance: u64,
}

/// `GET /mypage?customerId=` -> 200 [`MyPageView`] for that customer (the caller).
///
/// # Errors
/// 400 naming `customerId`; 403 another customer's or the manager; 500 storage.
#[utoipa::path(get, path = "/mypage", tag = "mypage", operation_id = "getMyPage",
    params(("customerId" = String, Query, description = "The caller's own id (the token's `sub`).")),
    responses(
        (status = 200, description = "The caller's reservations, promotions and point balance.", body = MyPageView),
        (status = 403, description = "Another customer's page, or the caller is the manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get<P: MyPages>(deps: &wiring::ReadMyPage<P>, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    if caller.is(MANAGER) {
        return Err(ApiError::Forbidden("the my page is the customer's".to_owned()));
    }
    let asked = query_parameter(&request, "customerId")?.ok_or_else(|| ApiError::field("customerId", "is required"))?;
    platform::id::subject(&asked).map_err(|err| ApiError::field("customerId", err.to_string()))?;
    if asked != caller.subject {
        return Err(ApiError::Forbidden("customerId must be your own".to_owned()));
    }
    let page = application::view(&deps.pages, &asked).await?;
    let view = MyPageView {
        customer_id: asked,
        point_balance: page.point_balance(),
        reservations: page.reservations.into_values().collect(),
        promotions: page.promotions.into_values().collect(),
    };
    json(StatusCode::OK, &view)
}

/// The my page's route, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get), tags((name = "mypage", description = "The customer's reservations, promotions and points.")))]
pub struct Api;
