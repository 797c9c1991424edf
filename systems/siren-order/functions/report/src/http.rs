//! The owner's report handlers (API Gateway HTTP API, payload 2.0).

use chrono::NaiveDate;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use platform::http::{ApiError, json};
use serde::Serialize;

use crate::model::SalesReport;
use crate::store::DynamoReport;

fn date(request: &Request) -> Result<String, ApiError> {
    let query = request.query_string_parameters();
    let text =
        query.first("date").ok_or_else(|| ApiError::field("date", "query parameter is required (YYYY-MM-DD)"))?;
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ApiError::field("date", "must be a date, YYYY-MM-DD"))?;
    Ok(day.to_string())
}

/// `GET /reports/sales?date=YYYY-MM-DD` -> 200 [`SalesReport`] of the shop's local day;
/// 400 without a valid date; 401 without a token; 403 unless the caller is an owner.
pub async fn sales(report: &DynamoReport, request: &Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(request)?.require("owner")?;
    let day = date(request)?;
    let orders = report.orders_of_day(&day).await?;
    let names = report.product_names().await?;
    json(StatusCode::OK, &SalesReport::compute(&day, &orders, &names))
}

/// One order in `GET /reports/orders`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRow {
    /// Order id.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: Option<String>,
    /// Current status as the events tell it.
    pub status: &'static str,
    /// Total in won.
    pub amount: Option<u64>,
    /// The waiting number, once issued.
    pub waiting_number: Option<u32>,
    /// When it was placed, RFC 3339 UTC.
    pub placed_at: Option<String>,
}

/// `GET /reports/orders?date=YYYY-MM-DD` -> 200 `{"date", "orders": [OrderRow]}` in the
/// order they were placed; 400 without a valid date; 401 without a token; 403 unless the
/// caller is an owner.
pub async fn orders(report: &DynamoReport, request: &Request) -> Result<Response<Body>, ApiError> {
    platform::auth::caller(request)?.require("owner")?;
    let day = date(request)?;
    let rows: Vec<OrderRow> = report
        .orders_of_day(&day)
        .await?
        .into_iter()
        .map(|o| OrderRow {
            status: o.status(),
            order_id: o.order_id,
            customer_id: o.customer_id,
            amount: o.amount,
            waiting_number: o.waiting_number,
            placed_at: o.placed_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        })
        .collect();
    json(StatusCode::OK, &serde_json::json!({ "date": day, "orders": rows }))
}
