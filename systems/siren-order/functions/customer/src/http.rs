//! HTTP handlers of the customer context (API Gateway HTTP API, payload 2.0).

use chrono::Utc;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::EventEnvelope;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::SOURCE;
use crate::domain::{Customer, CustomerId, CustomerName, Email, Phone, RegisterCustomer};
use crate::events::CustomerRegistered;
use crate::store::{CustomerLookup, CustomerRegistry, RegisterError};

/// Body of `POST /customers`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterRequest {
    /// Display name, 1-100 characters.
    pub name: Option<String>,
    /// Email address, unique.
    pub email: Option<String>,
    /// Optional phone number.
    pub phone: Option<String>,
}

/// A customer as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    /// Customer id.
    pub customer_id: String,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Phone number, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Points balance.
    pub points: u64,
    /// Sign-up time, RFC 3339 UTC.
    pub registered_at: String,
}

impl From<&Customer> for CustomerView {
    fn from(customer: &Customer) -> Self {
        Self {
            customer_id: customer.id.as_str().to_owned(),
            name: customer.name.as_str().to_owned(),
            email: customer.email.as_str().to_owned(),
            phone: customer.phone.as_ref().map(|p| p.as_str().to_owned()),
            points: customer.points,
            registered_at: customer.registered_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

fn validate(request: RegisterRequest) -> Result<RegisterCustomer, ApiError> {
    let mut validation = Validation::new();
    let name = match &request.name {
        Some(name) => validation.check("name", CustomerName::parse(name)),
        None => {
            validation.missing("name");
            None
        }
    };
    let email = match &request.email {
        Some(email) => validation.check("email", Email::parse(email)),
        None => {
            validation.missing("email");
            None
        }
    };
    let phone = request.phone.as_deref().and_then(|p| validation.check("phone", Phone::parse(p)));
    validation.finish()?;
    match (name, email) {
        (Some(name), Some(email)) => Ok(RegisterCustomer { name, email, phone }),
        _ => Err(ApiError::Internal(anyhow::anyhow!("validation passed without values"))),
    }
}

/// `POST /customers` `{name, email, phone?}` -> 201 [`CustomerView`] with the welcome
/// points, registered under the token's `sub`; 400 naming each bad field; 409 when this
/// identity is already registered or the email is taken; 401 without a token; 403 when the
/// `sub` is not a customer id (a UUID). Emits `CustomerRegistered`.
pub async fn register_customer<R: CustomerRegistry>(
    registry: &R,
    welcome_points: u64,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(request)?;
    let id = CustomerId::parse(&caller.subject)
        .map_err(|_| ApiError::Forbidden("the token's subject is not a customer id".to_owned()))?;
    let command = validate(parse_json(request)?)?;
    let customer = Customer::register(id, command, welcome_points, Utc::now());
    let span = tracing::info_span!("register_customer", correlation_id = %customer.id.as_str());
    async {
        let event = EventEnvelope::new(SOURCE, customer.id.as_str(), None, &CustomerRegistered::from(&customer))
            .map_err(|err| ApiError::Internal(err.into()))?;
        match registry.register(&customer, &[event]).await {
            Ok(()) => {
                tracing::info!("customer registered");
                json(StatusCode::CREATED, &CustomerView::from(&customer))
            }
            Err(RegisterError::AlreadyRegistered) => Err(ApiError::Conflict("you are already registered".to_owned())),
            Err(RegisterError::EmailTaken) => {
                Err(ApiError::Conflict("a customer with this email address already exists".to_owned()))
            }
            Err(RegisterError::Storage(err)) => Err(ApiError::Internal(err)),
        }
    }
    .instrument(span)
    .await
}

/// `GET /customers/{customerId}` -> 200 [`CustomerView`] for the customer themself (or
/// the owner); 404 when there is no such customer or it is someone else's (no leak that
/// it exists); 401 without a token.
pub async fn get_customer<L: CustomerLookup>(lookup: &L, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(request)?;
    let raw = path_parameter(request, "customerId")?;
    let not_found = || ApiError::NotFound(format!("customer {raw} not found"));
    if raw != caller.subject && !caller.is("owner") {
        return Err(not_found());
    }
    let id = CustomerId::parse(&raw).map_err(|_| not_found())?;
    match lookup.find(&id).await? {
        Some(customer) => json(StatusCode::OK, &CustomerView::from(&customer)),
        None => Err(not_found()),
    }
}
