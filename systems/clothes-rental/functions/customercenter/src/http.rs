//! The my page's API Gateway handler (FR 8): `GET /mypages`. A customer reads only their own
//! (403 otherwise; 401 without a token, from the gateway); errors are
//! `application/problem+json`.

use chrono::SecondsFormat;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::http::{ApiError, json, query_parameter};
use platform::page::PageRequest;
use serde::{Deserialize, Serialize};

use crate::application::{self, ListError};
use crate::domain::{CustomerId, DeliveryStatus, MyPage, OrderStatus, ReturnStatus};
use crate::ports::MyPages;

/// The delivery team's group: its members have no my page.
pub const DELIVERY_TEAM: &str = "deliveryTeam";

/// One row of the my page: an order with its order, delivery and return status.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyPageView {
    /// The order.
    pub order_id: String,
    /// Whose.
    pub customer_id: String,
    /// The clothes.
    pub product_id: String,
    /// How many.
    pub qty: u32,
    /// `Ordered`, `Shipped`, `ReturnRequested`, `Returned` or `Cancelled`.
    #[schema(value_type = OrderStatus)]
    pub order_status: String,
    /// `Received`, `Shipped` or `Cancelled`.
    #[schema(value_type = DeliveryStatus)]
    pub delivery_status: String,
    /// `Requested` or `Collected` once a return was asked for, else `null`.
    #[schema(value_type = Option<ReturnStatus>)]
    pub return_status: Option<String>,
    /// When the order was placed, RFC 3339 UTC with milliseconds.
    pub ordered_at: String,
    /// When the row last changed, RFC 3339 UTC with milliseconds.
    pub updated_at: String,
}

impl MyPageView {
    fn of(row: &MyPage) -> Self {
        let text = |s: Option<&'static str>| s.unwrap_or_default().to_owned();
        Self {
            order_id: row.order_id.to_string(),
            customer_id: row.customer_id.to_string(),
            product_id: row.product_id.clone().unwrap_or_default(),
            qty: row.qty.unwrap_or_default(),
            order_status: text(row.order_status.map(Into::into)),
            delivery_status: text(row.delivery_status.map(Into::into)),
            return_status: row.return_status.map(|s| s.to_string()),
            ordered_at: row.ordered_at.map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true)).unwrap_or_default(),
            updated_at: row.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// The body of `GET /mypages`: one page.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MyPagesView {
    /// Newest order first.
    pub mypages: Vec<MyPageView>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

impl From<ListError> for ApiError {
    fn from(err: ListError) -> Self {
        match err {
            ListError::NotYours => Self::Forbidden(err.to_string()),
            ListError::Page(err) => err.into(),
        }
    }
}

/// `GET /mypages?customerId=&limit=&nextToken=` -> 200 [`MyPagesView`]: the caller's orders
/// with their order, delivery and return status, newest first, one page of `limit` rows
/// (default 50, at most 100); `nextToken` is `null` on the last page. `customerId` defaults
/// to the caller; another customer's, or a caller in the delivery team -> 403; 400 naming
/// `customerId` when it is no customer id, `limit` or `nextToken` when malformed.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/mypages", tag = "mypage", operation_id = "listMyPages",
    params(
        ("customerId" = Option<String>, Query, description = "Whose: the caller's own (the default)."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Rows per page, 1 to 100; 50 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page."),
    ),
    responses(
        (status = 200, description = "One page of the caller's orders, newest first; `nextToken` is `null` on the last page.", body = MyPagesView),
        (status = 403, description = "Another customer's my page, or the caller is the delivery team.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_mypages(pages: &impl MyPages, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    if caller.is(DELIVERY_TEAM) {
        return Err(ApiError::Forbidden("the delivery team has no my page".to_owned()));
    }
    let asked = query_parameter(&request, "customerId")?.unwrap_or_else(|| caller.subject.clone());
    let customer = CustomerId::parse(&asked).map_err(|err| ApiError::field("customerId", err.to_string()))?;
    let page = PageRequest::from_request(&request, application::LIST_LIMIT)?;
    let rows = application::list(pages, &caller, &customer, &page).await?;
    let next_token = rows.next_token();
    json(StatusCode::OK, &MyPagesView { mypages: rows.items.iter().map(MyPageView::of).collect(), next_token })
}

/// The my page's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_mypages), tags((name = "mypage", description = "The customer's my page (마이페이지).")))]
pub struct Api;
