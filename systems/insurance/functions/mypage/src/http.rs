//! `GET /mypages?customerNo=&limit=&nextToken=`: the progress of every plan and proposal of a
//! customer (FR 12), newest change first. A customer reads only their own (`customerNo`
//! required; another's is 403); the insurance manager reads any customer's, or every row
//! without `customerNo`; the product manager gets 403.

use chrono::SecondsFormat;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::Won;
use platform::http::{ApiError, json, query_parameter};
use platform::page::PageRequest;
use serde::{Deserialize, Serialize};

use crate::INSURANCE_MANAGER;
use crate::application::{self, MYPAGE_LIMIT, ViewError, Viewer};
use crate::domain::Row;
use crate::ports::MyPages;
use crate::wiring;

/// One row as the API shows it (the original's `Mypage`).
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RowView {
    /// The customer.
    pub customer_no: String,
    /// The plan.
    pub plan_no: String,
    /// The plan version shown.
    pub plan_version: u64,
    /// The product's name.
    pub product_name: String,
    /// Sum insured, won.
    #[schema(value_type = u64)]
    pub sum_insured: Won,
    /// Monthly premium, won.
    #[schema(value_type = u64)]
    pub monthly_premium: Won,
    /// `Designed`, `DescriptionIssued`, `Submitted`, `Contracted` or `Withdrawn`.
    pub status: String,
    /// The same in Korean (`progSt`): 가입설계, 상품설명서생성완료, 청약, 계약성립, 청약철회.
    pub progress: String,
    /// When the plan version's description was issued, `YYYY-MM-DD`.
    pub description_issued_on: Option<String>,
    /// The proposal, once submitted.
    pub proposal_no: Option<String>,
    /// The first premium paid, won.
    #[schema(value_type = Option<u64>)]
    pub paid_amount: Option<Won>,
    /// `Approved` or `Cancelled`, once paid.
    pub payment_status: Option<String>,
    /// The last event applied (`eventType`).
    pub last_event: String,
    /// When it happened, RFC 3339 UTC (`chgDtm`).
    pub changed_at: String,
}

impl From<&Row> for RowView {
    fn from(r: &Row) -> Self {
        Self {
            customer_no: r.customer_no.clone(),
            plan_no: r.plan_no.clone(),
            plan_version: r.plan_version,
            product_name: r.product_name.clone(),
            sum_insured: r.sum_insured,
            monthly_premium: r.monthly_premium,
            status: r.progress.to_string(),
            progress: r.progress.label().to_owned(),
            description_issued_on: r.description_issued_on.map(|d| d.to_string()),
            proposal_no: r.proposal_no.clone(),
            paid_amount: r.paid_amount,
            payment_status: r.payment.map(|p| p.to_string()),
            last_event: r.last_event.clone(),
            changed_at: r.changed_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// The body of `GET /mypages`.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MyPagesView {
    /// Newest change first, at most `limit`.
    pub rows: Vec<RowView>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

impl From<ViewError> for ApiError {
    fn from(err: ViewError) -> Self {
        match err {
            ViewError::NotYours => Self::Forbidden(err.to_string()),
            ViewError::UnknownCustomer(_) => Self::NotFound(err.to_string()),
            ViewError::Page(err) => err.into(),
        }
    }
}

/// `GET /mypages?customerNo=&limit=&nextToken=` -> 200 [`MyPagesView`] (default 50 rows, at
/// most 200); 400 naming `customerNo` (not 9 digits), `limit` or `nextToken`; 403 another
/// customer's, or a customer without `customerNo`, or the product manager; 404 a customer not
/// known (yet).
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/mypages", tag = "mypages", operation_id = "getMyPages",
    params(
        ("customerNo" = Option<String>, Query, description = "The 9-digit customer number: the caller's own; the insurance manager may leave it out for every row."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Rows per page, 1 to 200; 50 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page."),
    ),
    responses(
        (status = 200, description = "One page of rows, newest change first.", body = MyPagesView),
        (status = 400, description = "`customerNo`, `limit` or `nextToken` is invalid (the field is named).", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another customer's rows, or the product manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The customer is not known (yet).", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get<P: MyPages>(deps: &wiring::ReadMyPages<P>, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    if caller.is(crate::PRODUCT_MANAGER) {
        return Err(ApiError::Forbidden("the my page is the customers' and the insurance manager's".to_owned()));
    }
    let customer_no = query_parameter(&request, "customerNo")?;
    if let Some(no) = &customer_no
        && !(no.len() == 9 && no.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ApiError::field("customerNo", "must be 9 digits"));
    }
    let page = PageRequest::from_request(&request, MYPAGE_LIMIT)?;
    let viewer = if caller.is(INSURANCE_MANAGER) { Viewer::Manager } else { Viewer::Customer(caller.subject) };
    let rows = application::view(&deps.pages, customer_no.as_deref(), &viewer, &page).await?;
    let next_token = rows.next_token();
    json(StatusCode::OK, &MyPagesView { rows: rows.items.iter().map(RowView::from).collect(), next_token })
}

/// The my page's route, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get), tags((name = "mypages", description = "Progress of every plan and proposal (FR 12).")))]
pub struct Api;
