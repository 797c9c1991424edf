//! `GET /msgs?customerNo=&limit=&nextToken=`: the AlimTalk messages sent to a customer, newest
//! first. That customer (another's is 403) or the insurance manager; the product manager 403.

use chrono::SecondsFormat;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::http::{ApiError, json, query_parameter};
use platform::page::PageRequest;
use serde::{Deserialize, Serialize};

use crate::INSURANCE_MANAGER;
use crate::application::{self, ListError, MESSAGE_LIMIT};
use crate::domain::Message;
use crate::ports::Messages;
use crate::wiring;

/// A message as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    /// Its id.
    pub message_id: String,
    /// The customer number.
    pub customer_no: String,
    /// The plan it is about.
    pub plan_no: String,
    /// The event that caused it, e.g. `ProductDescriptionIssued`.
    pub kind: String,
    /// The text, Korean then English.
    pub text: String,
    /// When sent, RFC 3339 UTC.
    pub sent_at: String,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        Self {
            message_id: m.message_id.to_string(),
            customer_no: m.customer_no.clone(),
            plan_no: m.plan_no.clone(),
            kind: m.kind.to_owned(),
            text: m.text.clone(),
            sent_at: m.sent_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// The body of `GET /msgs`.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MessagesView {
    /// Newest first, at most `limit`.
    pub messages: Vec<MessageView>,
    /// The `nextToken` of the next page; `null` on the last page.
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<String>,
}

impl From<ListError> for ApiError {
    fn from(err: ListError) -> Self {
        match err {
            ListError::NotYours => Self::Forbidden(err.to_string()),
            ListError::UnknownCustomer(_) => Self::NotFound(err.to_string()),
            ListError::Page(err) => err.into(),
        }
    }
}

/// `GET /msgs?customerNo=&limit=&nextToken=` -> 200 [`MessagesView`] (default 50, at most 200);
/// 400 naming `customerNo` (required, 9 digits), `limit` or `nextToken`; 403 another customer's
/// or the product manager; 404 a customer not known (yet).
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/msgs", tag = "msgs", operation_id = "listMessages",
    params(
        ("customerNo" = String, Query, description = "The 9-digit customer number (the caller's own, or any for the insurance manager)."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Messages per page, 1 to 200; 50 when left out."),
        ("nextToken" = Option<String>, Query, description = "The `nextToken` of the previous page."),
    ),
    responses(
        (status = 200, description = "One page of messages, newest first.", body = MessagesView),
        (status = 400, description = "`customerNo`, `limit` or `nextToken` is invalid (the field is named).", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another customer's messages, or the product manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The customer is not known (yet).", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list<M: Messages>(deps: &wiring::AlarmFunction<M>, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    if caller.is("productManager") {
        return Err(ApiError::Forbidden("messages are the customers' and the insurance manager's".to_owned()));
    }
    let customer_no =
        query_parameter(&request, "customerNo")?.ok_or_else(|| ApiError::field("customerNo", "is required"))?;
    if !(customer_no.len() == 9 && customer_no.bytes().all(|b| b.is_ascii_digit())) {
        return Err(ApiError::field("customerNo", "must be 9 digits"));
    }
    let page = PageRequest::from_request(&request, MESSAGE_LIMIT)?;
    let messages =
        application::list(&deps.messages, &customer_no, (&caller.subject, caller.is(INSURANCE_MANAGER)), &page).await?;
    let next_token = messages.next_token();
    json(StatusCode::OK, &MessagesView { messages: messages.items.iter().map(MessageView::from).collect(), next_token })
}

/// The alarm context's route, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list), tags((name = "msgs", description = "AlimTalk messages sent to a customer (FR 7).")))]
pub struct Api;
