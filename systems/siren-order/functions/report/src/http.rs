//! The owner's report routes (API Gateway HTTP API, payload 2.0): parse, call the use
//! case, map the answer.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use platform::Won;
use platform::http::{ApiError, json};
use platform::page::PageRequest;
use serde::Serialize;

use crate::application::{self, OrdersReportError, SalesReportError};
use crate::domain::{CustomerId, OrderFacts, OrderId, OrderStatus, OrdersReport, ProductId, SalesReport};
use crate::ports::ReportViews;

/// `GET /reports/sales?date=YYYY-MM-DD` -> 200 [`SalesReportBody`] of that shop day;
/// 400 without a valid date; 401 without a token; 403 unless the caller is an owner.
///
/// # Errors
/// The error answers above; 500 when the views cannot be read.
#[utoipa::path(get, path = "/reports/sales", tag = "reports", operation_id = "salesReport",
    params(("date" = String, Query, format = Date, description = "The shop's local day, `YYYY-MM-DD`.")),
    responses(
        (status = 200, description = "The day's sales.", body = SalesReportBody),
        (status = 403, description = "The caller is not an owner.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn sales_report(views: &impl ReportViews, request: Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require("owner")?;
    let date = date(&request)?;
    let report = application::sales_report(views, date).await?;
    json(StatusCode::OK, &SalesReportBody::from(report))
}

/// `GET /reports/orders?date=YYYY-MM-DD&limit=&nextToken=` -> 200 [`OrdersReportBody`]
/// `{"date", "orders": [OrderRow], "nextToken": string | null}`: one page of the orders
/// placed that shop day, in the order they were placed, with their current status, of
/// `limit` orders (default 100, at most 500: [`application::ORDERS_REPORT_LIMIT`]);
/// `nextToken` is `null` on the last page, else passed back (with the same `date`) for the
/// next one ([`platform::page`]). 400 without a valid date, naming `limit` when it is not
/// an integer from 1 to 500, `nextToken` when it is malformed or from another day's list;
/// 401 without a token; 403 unless the caller is an owner.
///
/// # Errors
/// The error answers above; 500 when the views cannot be read.
#[utoipa::path(get, path = "/reports/orders", tag = "reports", operation_id = "ordersReport",
    params(
        ("date" = String, Query, format = Date, description = "The shop's local day, `YYYY-MM-DD`."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "Orders per page, 1 to 500; 100 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page, with the same `date`."),
    ),
    responses(
        (status = 200, description = "One page of the day's orders, in the order they were placed; `nextToken` is `null` on the last page.", body = OrdersReportBody),
        (status = 403, description = "The caller is not an owner.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn orders_report(views: &impl ReportViews, request: Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(&request)?.require("owner")?;
    let date = date(&request)?;
    let page = PageRequest::from_request(&request, application::ORDERS_REPORT_LIMIT)?;
    let (report, next) = application::orders_report(views, date, &page).await?;
    let mut body = OrdersReportBody::from(report);
    body.next_token = next.as_ref().map(platform::page::Cursor::token);
    json(StatusCode::OK, &body)
}

/// The `date` query parameter: a shop day, `YYYY-MM-DD`.
fn date(request: &Request) -> Result<NaiveDate, ApiError> {
    let query = request.query_string_parameters();
    let text =
        query.first("date").ok_or_else(|| ApiError::field("date", "query parameter is required (YYYY-MM-DD)"))?;
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ApiError::field("date", "must be a date, YYYY-MM-DD"))
}

impl From<SalesReportError> for ApiError {
    fn from(err: SalesReportError) -> Self {
        match err {
            SalesReportError::Storage(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<OrdersReportError> for ApiError {
    fn from(err: OrdersReportError) -> Self {
        match err {
            OrdersReportError::InvalidCursor(invalid) => invalid.into(),
            OrdersReportError::Storage(cause) => ApiError::Internal(cause),
        }
    }
}

/// The body of `GET /reports/sales`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesReportBody {
    /// The shop's local day, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Orders placed that day and not cancelled.
    pub orders: u64,
    /// Their total in won.
    pub revenue: Won,
    /// Orders placed that day and cancelled.
    pub cancelled: CancelledBody,
    /// Per product, by revenue (highest first).
    pub products: Vec<ProductSalesBody>,
    /// Orders completed and not cancelled.
    pub completed_orders: u64,
    /// Mean time from placed to completed over those, in seconds; `null` without any.
    pub average_completion_seconds: Option<f64>,
}

/// `cancelled` in [`SalesReportBody`].
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CancelledBody {
    /// How many.
    pub count: u64,
    /// Their total in won.
    pub amount: Won,
}

/// One of `products` in [`SalesReportBody`].
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductSalesBody {
    /// Product id.
    #[schema(value_type = String)]
    pub product_id: ProductId,
    /// Its current name, else its name at order time.
    pub name: String,
    /// Units sold.
    pub quantity: u64,
    /// Their revenue in won.
    pub revenue: Won,
}

impl From<SalesReport> for SalesReportBody {
    fn from(report: SalesReport) -> Self {
        Self {
            date: report.date,
            orders: report.orders,
            revenue: report.revenue,
            cancelled: CancelledBody { count: report.cancelled.count, amount: report.cancelled.amount },
            products: report
                .products
                .into_iter()
                .map(|p| ProductSalesBody {
                    product_id: p.product_id,
                    name: p.name,
                    quantity: p.quantity,
                    revenue: p.revenue,
                })
                .collect(),
            completed_orders: report.completed_orders,
            average_completion_seconds: report.average_completion_seconds,
        }
    }
}

/// The body of `GET /reports/orders`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrdersReportBody {
    /// The shop's local day, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// The day's orders, in the order they were placed: one page.
    pub orders: Vec<OrderRow>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken")]
    pub next_token: Option<String>,
}

/// One of `orders` in [`OrdersReportBody`].
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderRow {
    /// Order id.
    #[schema(value_type = String)]
    pub order_id: OrderId,
    /// Who ordered.
    #[schema(value_type = String)]
    pub customer_id: CustomerId,
    /// Current status as the events tell it: `Placed`, `Waiting`, `Completed`, `Cancelled`.
    #[schema(value_type = String, pattern = "^(Placed|Waiting|Completed|Cancelled)$")]
    pub status: OrderStatus,
    /// Total in won.
    pub amount: Won,
    /// The waiting number, once issued; else `null`.
    pub waiting_number: Option<u32>,
    /// When it was placed, RFC 3339 UTC with milliseconds.
    pub placed_at: String,
}

impl From<OrdersReport> for OrdersReportBody {
    fn from(report: OrdersReport) -> Self {
        Self {
            date: report.date,
            orders: report.orders.into_iter().filter_map(OrderRow::of).collect(),
            next_token: None,
        }
    }
}

impl OrderRow {
    /// The row of a placed order; `None` for a view without a placement (which the orders
    /// report does not list).
    fn of(order: OrderFacts) -> Option<Self> {
        let status = order.status();
        let placement = order.placement?;
        Some(Self {
            order_id: order.order_id,
            customer_id: placement.customer_id,
            status,
            amount: placement.amount,
            waiting_number: order.waiting_number,
            placed_at: millis(placement.placed_at),
        })
    }
}

fn millis(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The owner's report routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(sales_report, orders_report), tags((name = "reports", description = "The owner's daily reports.")))]
pub struct Api;
