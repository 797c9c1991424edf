//! HTTP handlers of the customer context (API Gateway HTTP API, payload 2.0): parse the
//! caller and the request, call the use case, answer JSON or problem+json.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use serde::{Deserialize, Serialize};

use crate::application::{self, GetCustomerError, RegisterCustomerError};
use crate::domain::{Customer, CustomerId, CustomerName, Email, Phone, Registration};
use crate::wiring;

/// Body of `POST /customers`. Unknown fields are refused, naming them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = RegisterCustomerRequest, example = json!({"name": "Kim Minji", "email": "minji@example.com", "phone": "010-1234-5678"}))]
struct RegisterBody {
    /// Display name, 1 to 100 characters (trimmed).
    #[schema(required = true, value_type = String, min_length = 1, max_length = 100)]
    name: Option<String>,
    /// Email address, at most 254 characters; one customer per address.
    #[schema(required = true, value_type = String, format = Email, max_length = 254)]
    email: Option<String>,
    /// Phone number: digits with an optional leading `+` and `-`/space separators, 7 to 15 digits.
    #[schema(required = false, value_type = String, max_length = 40)]
    phone: Option<String>,
    /// The caller's own id (the token's `sub`), if sent at all.
    #[schema(required = false, value_type = String)]
    customer_id: Option<String>,
}

/// A customer as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    /// Customer id: the token's `sub`.
    pub customer_id: String,
    /// Display name.
    pub name: String,
    /// Email address, lower-cased.
    pub email: String,
    /// Phone number, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub phone: Option<String>,
    /// Points balance.
    pub points: u64,
    /// Sign-up time, RFC 3339 UTC, whole seconds.
    pub registered_at: String,
}

impl From<&Customer> for CustomerView {
    fn from(customer: &Customer) -> Self {
        Self {
            customer_id: customer.id.to_string(),
            name: customer.name.as_str().to_owned(),
            email: customer.email.as_str().to_owned(),
            phone: customer.phone.as_ref().map(|phone| phone.as_str().to_owned()),
            points: customer.points,
            registered_at: customer.registered_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

impl From<RegisterCustomerError> for ApiError {
    fn from(err: RegisterCustomerError) -> Self {
        match err {
            RegisterCustomerError::NotACustomerId => Self::Forbidden("the token's subject is not a customer id".into()),
            RegisterCustomerError::AnotherCustomer => {
                Self::Forbidden("customerId must be your own (the token's subject)".into())
            }
            RegisterCustomerError::AlreadyRegistered => Self::Conflict("you are already registered".into()),
            RegisterCustomerError::EmailTaken => {
                Self::Conflict("a customer with this email address already exists".into())
            }
            RegisterCustomerError::Contended => {
                Self::Conflict("your points changed while you registered; please try again".into())
            }
            RegisterCustomerError::Storage(err) => Self::Internal(err),
        }
    }
}

/// Validates the body: every bad field is named at once.
fn registration(body: RegisterBody) -> Result<(Option<CustomerId>, Registration), ApiError> {
    let mut validation = Validation::new();
    let name = validation.required("name", body.name, |name| CustomerName::parse(&name));
    let email = validation.required("email", body.email, |email| Email::parse(&email));
    let phone = body.phone.and_then(|phone| validation.check("phone", Phone::parse(&phone)));
    let claimed = body.customer_id.and_then(|id| validation.check("customerId", CustomerId::parse(&id)));
    validation.finish()?;
    match (name, email) {
        (Some(name), Some(email)) => Ok((claimed, Registration { name, email, phone })),
        _ => Err(ApiError::Internal(anyhow::anyhow!("validation passed without a name or an email"))),
    }
}

/// `POST /customers` `{name, email, phone?, customerId?}` -> 201 [`CustomerView`] holding
/// the welcome points, registered under the token's `sub`. 400 naming each bad field
/// (`customerId`, when sent, must be an id); 401 without a token; 403 when `customerId` is
/// not the caller's or the `sub` cannot be a customer id; 409 when the caller is
/// registered already or the email is taken. Emits `CustomerRegistered`.
///
/// # Errors
/// The problem the response carries.
#[utoipa::path(post, path = "/customers", tag = "customers", operation_id = "registerCustomer",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "Registered, with the welcome points.", body = CustomerView),
        (status = 403, description = "`customerId` is not the caller's, or the token's `sub` cannot be a customer id.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Registered already, or the email address is taken.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn register_customer(deps: &wiring::RegisterCustomer, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    let (claimed, registration) = registration(parse_json(&request)?)?;
    let customer =
        application::register_customer(&deps.registry, deps.welcome_points, &caller, claimed, registration).await?;
    json(StatusCode::CREATED, &CustomerView::from(&customer))
}

impl From<GetCustomerError> for ApiError {
    fn from(err: GetCustomerError) -> Self {
        match err {
            GetCustomerError::NotFound(id) => Self::NotFound(format!("customer {id} not found")),
            GetCustomerError::Storage(err) => Self::Internal(err),
        }
    }
}

/// `GET /customers/{customerId}` -> 200 [`CustomerView`] for that customer (or an owner);
/// 404 when there is no such customer or it is someone else's (not told apart); 401
/// without a token.
///
/// # Errors
/// The problem the response carries.
#[utoipa::path(get, path = "/customers/{customerId}", tag = "customers", operation_id = "getCustomer",
    params(("customerId" = String, Path, description = "The customer's id (a token's `sub`).")),
    responses(
        (status = 200, description = "The customer, with the points balance.", body = CustomerView),
        (status = 404, description = "No such customer, or someone else's (not told apart).", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_customer(deps: &wiring::GetCustomer, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    let raw = path_parameter(&request, "customerId")?;
    let id = CustomerId::parse(&raw).map_err(|_| GetCustomerError::NotFound(raw.clone()))?;
    let customer = application::get_customer(&deps.customers, &caller, &id).await?;
    json(StatusCode::OK, &CustomerView::from(&customer))
}

/// The customer context's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(register_customer, get_customer), tags((name = "customers", description = "Sign-up and the points balance.")))]
pub struct Api;
