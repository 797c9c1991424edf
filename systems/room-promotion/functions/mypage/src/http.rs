//! `GET /mypage?customerId=&limit=&nextToken=`: one page of the calling customer's my page
//! (reservations, promotions, `pointBalance`). Another customer's id is 403; the manager is
//! 403; a missing or malformed `customerId`, `limit` or `nextToken` is 400.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::http::{ApiError, json, query_parameter};
use platform::page::PageRequest;
use serde::{Deserialize, Serialize};

use crate::application;
use crate::domain::{PromotionLine, ReservationLine};
use crate::ports::MyPages;
use crate::wiring;

/// The group of the room team's tokens.
pub const MANAGER: &str = "manager";

/// The body of `GET /mypage`: one page of each list.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyPageView {
    /// The customer.
    pub customer_id: String,
    /// Up to `limit` of their reservations, by id (UUID v7: oldest first).
    pub reservations: Vec<ReservationLine>,
    /// Up to `limit` of their promotions, by payment id (oldest first).
    pub promotions: Vec<PromotionLine>,
    /// The sum of the points of all their `Granted` promotions (not only this page's).
    pub point_balance: u64,
    /// The `nextToken` of the next page (the lines of either list after this page's);
    /// `null` when both lists end on this page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

/// `GET /mypage?customerId=&limit=&nextToken=` -> 200 [`MyPageView`] for that customer (the
/// caller): one page of each of their two lists, up to `limit` reservations and up to `limit`
/// promotions (default 50, at most 100: [`application::MYPAGE_LIMIT`]), and the whole
/// `pointBalance`; `nextToken` is `null` when both lists end on this page, else passed back
/// (with the same `customerId`) for the lines that follow in either list
/// ([`platform::page`]; a list already read to its end answers `[]` on later pages).
///
/// # Errors
/// 400 naming `customerId`, `limit` (not an integer from 1 to 100) or `nextToken` (malformed
/// or another customer's); 403 another customer's or the manager; 500 storage.
#[utoipa::path(get, path = "/mypage", tag = "mypage", operation_id = "getMyPage",
    params(
        ("customerId" = String, Query, description = "The caller's own id (the token's `sub`)."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Reservations and promotions per page (each list), 1 to 100; 50 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page, with the same `customerId`."),
    ),
    responses(
        (status = 200, description = "One page of the caller's reservations and promotions, and their point balance; `nextToken` is `null` when both lists end on this page.", body = MyPageView),
        (status = 403, description = "Another customer's page, or the caller is the manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get<P: MyPages>(deps: &wiring::ReadMyPage<P>, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    if caller.is(MANAGER) {
        return Err(ApiError::Forbidden("the my page is the customer's".to_owned()));
    }
    let asked = query_parameter(&request, "customerId")?.ok_or_else(|| ApiError::field("customerId", "is required"));
    let asked = asked.and_then(|asked| {
        platform::id::subject(&asked).map_err(|err| ApiError::field("customerId", err.to_string()))?;
        Ok(asked)
    });
    let page = PageRequest::from_request(&request, application::MYPAGE_LIMIT);
    let (asked, page) = match (asked, page) {
        (Ok(asked), Ok(page)) => (asked, page),
        (Err(ApiError::Validation(mut first)), Err(ApiError::Validation(more))) => {
            first.extend(more);
            return Err(ApiError::Validation(first));
        }
        (Err(err), _) | (_, Err(err)) => return Err(err),
    };
    if asked != caller.subject {
        return Err(ApiError::Forbidden("customerId must be your own".to_owned()));
    }
    let (whole, slice) = application::view(&deps.pages, &asked, &page).await?;
    let next_token = slice.next.as_ref().map(|next| application::cursor_of(&asked, next)).transpose()?;
    let view = MyPageView {
        customer_id: asked,
        point_balance: whole.point_balance(),
        reservations: slice.reservations,
        promotions: slice.promotions,
        next_token: next_token.as_ref().map(platform::page::Cursor::token),
    };
    json(StatusCode::OK, &view)
}

/// The my page's route, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get), tags((name = "mypage", description = "The customer's reservations, promotions and points.")))]
pub struct Api;
