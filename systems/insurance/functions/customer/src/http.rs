//! API Gateway handlers of the customer context: `POST /customers` (any signed-in caller
//! registers once; their token `sub` is mapped to the new customer number) and
//! `GET /customers/{customerNo}` (that customer, or the insurance manager; 404 otherwise).

use chrono::NaiveDate;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use serde::{Deserialize, Serialize};

use crate::INSURANCE_MANAGER;
use crate::application::{self, GetError, RegisterCustomer, RegisterError};
use crate::domain::{Customer, CustomerNo};
use crate::ports::Customers;
use crate::store::stamp;
use crate::wiring;

/// A customer as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    /// 9-digit customer number.
    pub customer_no: String,
    /// Name.
    pub name: String,
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: String,
    /// Phone number.
    pub phone: String,
    /// When registered, RFC 3339 UTC.
    pub registered_at: String,
}

impl From<&Customer> for CustomerView {
    fn from(c: &Customer) -> Self {
        Self {
            customer_no: c.customer_no.to_string(),
            name: c.name.clone(),
            birth_date: c.birth_date.to_string(),
            phone: c.phone.clone(),
            registered_at: stamp(&c.registered_at),
        }
    }
}

impl From<RegisterError> for ApiError {
    fn from(err: RegisterError) -> Self {
        match err {
            RegisterError::AlreadyRegistered(_) | RegisterError::Contended => Self::Conflict(err.to_string()),
            RegisterError::BornInTheFuture(_) => Self::Unprocessable(err.to_string()),
            RegisterError::Storage(err) => Self::Internal(err),
        }
    }
}

impl From<GetError> for ApiError {
    fn from(err: GetError) -> Self {
        match err {
            GetError::NotFound(_) => Self::NotFound(err.to_string()),
            GetError::Storage(err) => Self::Internal(err),
        }
    }
}

/// Body of `POST /customers`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"name": "양건우", "birthDate": "1985-03-15", "phone": "010-1234-5678"}))]
pub struct RegisterCustomerRequest {
    /// Name, 1 to 50 characters.
    #[schema(required = true, value_type = String)]
    pub name: Option<String>,
    /// Birth date, `YYYY-MM-DD`, not in the future.
    #[schema(required = true, value_type = String, format = Date)]
    pub birth_date: Option<String>,
    /// Phone number: 7 to 20 digits, `-` allowed between them.
    #[schema(required = true, value_type = String)]
    pub phone: Option<String>,
}

fn phone(text: &str) -> Result<String, &'static str> {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let shape = text.bytes().all(|b| b.is_ascii_digit() || b == b'-') && !text.starts_with('-') && !text.ends_with('-');
    if shape && (7..=20).contains(&digits) {
        Ok(text.to_owned())
    } else {
        Err("must be 7 to 20 digits, with - between them")
    }
}

/// `POST /customers` `{name, birthDate, phone}` -> 201 `{customerNo, name, ...}`; 409 when the
/// caller registered before; 422 a future birth date; 400 naming the field.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/customers", tag = "customers", operation_id = "registerCustomer",
    request_body = RegisterCustomerRequest,
    responses(
        (status = 201, description = "Registered: the customer with its 9-digit number.", body = CustomerView),
        (status = 409, description = "The caller's account registered before.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A birth date in the future.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn register<S: Customers>(
    deps: &wiring::CustomerFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    let body: RegisterCustomerRequest = parse_json(&request)?;
    let mut validation = Validation::new();
    let name = validation.required("name", body.name.as_deref(), |s: &str| platform::text::bounded(s, 50));
    let birth_date = validation.required("birthDate", body.birth_date.as_deref(), |s: &str| {
        s.parse::<NaiveDate>().map_err(|_| "must be a date YYYY-MM-DD")
    });
    let phone = validation.required("phone", body.phone.as_deref(), phone);
    validation.finish()?;
    let (Some(name), Some(birth_date), Some(phone)) = (name, birth_date, phone) else {
        return Err(ApiError::field("name", "is required"));
    };
    if name.is_empty() {
        return Err(ApiError::field("name", "must not be empty"));
    }
    let command = RegisterCustomer { subject: caller.subject, name, birth_date, phone };
    let customer = application::register(&deps.customers, &command).await?;
    json(StatusCode::CREATED, &CustomerView::from(&customer))
}

/// `GET /customers/{customerNo}` -> 200 [`CustomerView`] for that customer or the insurance
/// manager; 404 otherwise (also for a malformed number).
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/customers/{customerNo}", tag = "customers", operation_id = "getCustomer",
    params(("customerNo" = String, Path, description = "The 9-digit customer number.")),
    responses(
        (status = 200, description = "The customer's profile.", body = CustomerView),
        (status = 404, description = "No such customer, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get<S: Customers>(
    deps: &wiring::CustomerFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    let raw = path_parameter(&request, "customerNo")?;
    let no = CustomerNo::parse(&raw).map_err(|_| ApiError::NotFound(format!("customer {raw} not found")))?;
    let customer = application::get(&deps.customers, &no, &caller.subject, caller.is(INSURANCE_MANAGER)).await?;
    json(StatusCode::OK, &CustomerView::from(&customer))
}

/// The customer context's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(register, get), tags((name = "customers", description = "Customers register their details (FR 2).")))]
pub struct Api;
