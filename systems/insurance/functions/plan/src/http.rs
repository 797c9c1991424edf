//! API Gateway handlers of the plan context. Every route needs a token (401 without one);
//! quoting, saving, changing and requesting a description are the customers' (a token in the
//! `productManager` or `insuranceManager` group gets 403), and the body's `customerNo` must be
//! the caller's own (403); `GET /plans/{planNo}` is its customer's or the insurance manager's.
//! Another customer's plan is 404. When product cannot answer in time: 503 with `Retry-After`,
//! nothing saved.

use chrono::SecondsFormat;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::Won;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use serde::{Deserialize, Serialize};

use crate::application::{self, FirstAnswer, PlanError, QuoteError, SavePlan, Saved, Viewer};
use crate::domain::{Design, PaymentCycle, Plan, PlanNo};
use crate::ports::{Customers, Plans, Quote};
use crate::wiring;
use crate::{INSURANCE_MANAGER, PRODUCT_MANAGER};

/// The body of `POST /plans/quote`, `POST /plans` and `PUT /plans/{planNo}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"customerNo": "000000002", "productCode": "P00000005", "sumInsured": 50_000_000, "insurancePeriodYears": 20, "paymentPeriodYears": 20, "paymentCycle": "Monthly"}))]
pub struct DesignRequest {
    /// The caller's own 9-digit customer number.
    #[schema(required = true, value_type = String)]
    pub customer_no: Option<String>,
    /// The product.
    #[schema(required = true, value_type = String)]
    pub product_code: Option<String>,
    /// Won: a positive multiple of 1,000,000.
    #[schema(required = true, value_type = i64)]
    pub sum_insured: Option<i64>,
    /// Years of cover (underwriting: 1..100).
    #[schema(required = true, value_type = i64)]
    pub insurance_period_years: Option<i64>,
    /// Years of payment (underwriting: 1..100, at most the cover's).
    #[schema(required = true, value_type = i64)]
    pub payment_period_years: Option<i64>,
    /// `Monthly` (월납), the only cycle supported.
    #[schema(required = true, value_type = String)]
    pub payment_cycle: Option<String>,
    /// Planner's employee number (`slctPlnrEno`), up to 20 characters.
    #[schema(value_type = Option<String>)]
    pub planner_no: Option<String>,
    /// Planner's name, up to 50 characters.
    #[schema(value_type = Option<String>)]
    pub planner_name: Option<String>,
    /// Sales organisation number (`slctDofOrgNo`), up to 20 characters.
    #[schema(value_type = Option<String>)]
    pub sales_org_no: Option<String>,
    /// Sales organisation name, up to 50 characters.
    #[schema(value_type = Option<String>)]
    pub sales_org_name: Option<String>,
}

fn customer_no(text: &str) -> Result<String, &'static str> {
    if text.len() == 9 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err("must be 9 digits")
    }
}

fn product_code(text: &str) -> Result<String, &'static str> {
    if (1..=20).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(text.to_owned())
    } else {
        Err("must be 1 to 20 letters or digits")
    }
}

fn sum_insured(n: i64) -> Result<Won, &'static str> {
    u64::try_from(n)
        .ok()
        .filter(|w| *w > 0 && w % 1_000_000 == 0)
        .map(Won::new)
        .ok_or("must be a positive multiple of 1000000 won")
}

fn years(n: i64) -> Result<u32, &'static str> {
    u32::try_from(n).map_err(|_| "must be a whole number of years, not negative")
}

fn optional(v: &mut Validation, field: &str, text: Option<&str>, max: usize) -> Option<String> {
    text.and_then(|t| v.check(field, platform::text::bounded(t, max)))
}

/// The caller as a customer: the token's `sub`; 403 for the managers.
fn customer(request: &Request) -> Result<String, ApiError> {
    let caller = platform::auth::caller(request)?;
    if caller.is(PRODUCT_MANAGER) || caller.is(INSURANCE_MANAGER) {
        return Err(ApiError::Forbidden("this is for customers, not managers".to_owned()));
    }
    Ok(caller.subject)
}

fn design_of(request: &Request) -> Result<(String, Design), ApiError> {
    let body: DesignRequest = parse_json(request)?;
    let mut v = Validation::new();
    let customer = v.required("customerNo", body.customer_no.as_deref(), customer_no);
    let product = v.required("productCode", body.product_code.as_deref(), product_code);
    let sum = v.required("sumInsured", body.sum_insured, sum_insured);
    let insured = v.required("insurancePeriodYears", body.insurance_period_years, years);
    let paid = v.required("paymentPeriodYears", body.payment_period_years, years);
    let cycle = v.required("paymentCycle", body.payment_cycle.as_deref(), |s: &str| {
        s.parse::<PaymentCycle>().map_err(|_| "must be Monthly (the only cycle supported)")
    });
    let planner_no = optional(&mut v, "plannerNo", body.planner_no.as_deref(), 20);
    let planner_name = optional(&mut v, "plannerName", body.planner_name.as_deref(), 50);
    let sales_org_no = optional(&mut v, "salesOrgNo", body.sales_org_no.as_deref(), 20);
    let sales_org_name = optional(&mut v, "salesOrgName", body.sales_org_name.as_deref(), 50);
    v.finish()?;
    let (
        Some(customer),
        Some(product_code),
        Some(sum_insured),
        Some(insurance_period_years),
        Some(payment_period_years),
        Some(payment_cycle),
    ) = (customer, product, sum, insured, paid, cycle)
    else {
        return Err(ApiError::field("customerNo", "is required"));
    };
    let design = Design {
        product_code,
        sum_insured,
        insurance_period_years,
        payment_period_years,
        payment_cycle,
        planner_no,
        planner_name,
        sales_org_no,
        sales_org_name,
    };
    Ok((customer, design))
}

fn plan_no(request: &Request) -> Result<PlanNo, ApiError> {
    let raw = path_parameter(request, "planNo")?;
    PlanNo::parse(&raw).map_err(|_| ApiError::NotFound(format!("plan {raw} not found")))
}

impl From<QuoteError> for ApiError {
    fn from(err: QuoteError) -> Self {
        match err {
            QuoteError::UnknownCustomer(_) | QuoteError::UnknownProduct(_) | QuoteError::UnknownPlan(_) => {
                Self::NotFound(err.to_string())
            }
            QuoteError::NotYours(_) => Self::Forbidden(err.to_string()),
            QuoteError::Refused(_) | QuoteError::OtherCustomer | QuoteError::KeyReused => {
                Self::Unprocessable(err.to_string())
            }
            QuoteError::ProductUnavailable(err) => err.into_api_error("premium calculation (product)"),
            QuoteError::Contended => Self::Conflict(err.to_string()),
            QuoteError::Storage(err) => Self::Internal(err),
        }
    }
}

impl From<PlanError> for ApiError {
    fn from(err: PlanError) -> Self {
        match err {
            PlanError::NotFound(_) => Self::NotFound(err.to_string()),
            PlanError::AlreadyIssued(_) | PlanError::Contended => Self::Conflict(err.to_string()),
            PlanError::Storage(err) => Self::Internal(err),
        }
    }
}

/// The answer of `POST /plans/quote`.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuoteView {
    /// The product's name.
    pub product_name: String,
    /// `sumInsured / 1,000,000 x premiumPerMillion`, won.
    #[schema(value_type = u64, example = 80000)]
    pub monthly_premium: Won,
}

/// A plan as the API shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    /// 14-digit plan number.
    pub plan_no: String,
    /// Plan date, `YYYY-MM-DD`.
    pub plan_date: String,
    /// The customer.
    pub customer_no: String,
    /// Their name.
    pub customer_name: String,
    /// The product.
    pub product_code: String,
    /// Its name.
    pub product_name: String,
    /// Sum insured, won.
    #[schema(value_type = u64)]
    pub sum_insured: Won,
    /// Years of cover.
    pub insurance_period_years: u32,
    /// Years of payment.
    pub payment_period_years: u32,
    /// `Monthly`.
    pub payment_cycle: String,
    /// Monthly premium, won.
    #[schema(value_type = u64)]
    pub monthly_premium: Won,
    /// `Designed`, `DescriptionRequested` or `DescriptionIssued`.
    pub status: String,
    /// When this version's description was issued, `YYYY-MM-DD`.
    pub description_issued_on: Option<String>,
    /// 1 when first saved, +1 per saved change.
    pub version: u64,
    /// Planner's employee number.
    pub planner_no: Option<String>,
    /// Planner's name.
    pub planner_name: Option<String>,
    /// Sales organisation number.
    pub sales_org_no: Option<String>,
    /// Sales organisation name.
    pub sales_org_name: Option<String>,
    /// When last written, RFC 3339 UTC.
    pub updated_at: String,
}

impl From<&Plan> for PlanView {
    fn from(p: &Plan) -> Self {
        Self {
            plan_no: p.plan_no.to_string(),
            plan_date: p.plan_date.to_string(),
            customer_no: p.customer.customer_no.clone(),
            customer_name: p.customer.name.clone(),
            product_code: p.design.product_code.clone(),
            product_name: p.product_name.clone(),
            sum_insured: p.design.sum_insured,
            insurance_period_years: p.design.insurance_period_years,
            payment_period_years: p.design.payment_period_years,
            payment_cycle: p.design.payment_cycle.to_string(),
            monthly_premium: p.monthly_premium,
            status: p.status.to_string(),
            description_issued_on: p.description_issued_on.map(|d| d.to_string()),
            version: p.version,
            planner_no: p.design.planner_no.clone(),
            planner_name: p.design.planner_name.clone(),
            sales_org_no: p.design.sales_org_no.clone(),
            sales_org_name: p.design.sales_org_name.clone(),
            updated_at: p.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// `POST /plans/quote` -> 200 `{productName, monthlyPremium}` (FR 3-4), nothing saved; 422
/// naming every failing underwriting condition; 404 unknown customer (yet) or product; 403
/// another's `customerNo` or a manager; 503 + `Retry-After` when product cannot answer.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(post, path = "/plans/quote", tag = "plans", operation_id = "quotePremium",
    request_body = DesignRequest,
    responses(
        (status = 200, description = "The monthly premium; nothing saved.", body = QuoteView),
        (status = 403, description = "Another customer's number, or the caller is a manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Customer not known (yet), or no such product.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Underwriting refused: every failing condition is named.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Product cannot answer in time (`Retry-After`).", body = platform::openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait."))),
    ))]
pub async fn quote<S: Customers, Q: Quote>(
    deps: &wiring::QuotingFunction<S, Q>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let subject = customer(&request)?;
    let (customer_no, design) = design_of(&request)?;
    let quoted = application::quote(&deps.store, &deps.product, (&customer_no, &subject), &design).await?;
    json(StatusCode::OK, &QuoteView { product_name: quoted.product_name, monthly_premium: quoted.monthly_premium })
}

/// `POST /plans` (optional `Idempotency-Key`) -> 201 [`PlanView`] (`Designed`, with the
/// premium product calculated); the refusals of `POST /plans/quote`; nothing saved on any.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/plans", tag = "plans", operation_id = "savePlan",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Optional: a repeat with the same key and body gets the first 201 again.")),
    request_body = DesignRequest,
    responses(
        (status = 201, description = "Saved, Designed (or the first answer again, with `Idempotent-Replayed: true`).", body = PlanView),
        (status = 403, description = "Another customer's number, or the caller is a manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Customer not known (yet), or no such product.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Underwriting refused, or the key used with another body.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Product cannot answer in time (`Retry-After`); nothing saved.", body = platform::openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait."))),
    ))]
pub async fn save<S: Customers + Plans, Q: Quote>(
    deps: &wiring::QuotingFunction<S, Q>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let subject = customer(&request)?;
    let key = match request.headers().get(platform::idempotency::HEADER) {
        Some(_) => Some(platform::idempotency::key(&request)?),
        None => None,
    };
    let (customer_no, design) = design_of(&request)?;
    let command = SavePlan { subject, key, customer_no, design };
    let saved = application::save(&deps.store, &deps.store, &deps.product, &command, |plan| {
        Ok(FirstAnswer { status: StatusCode::CREATED.as_u16(), body: serde_json::to_string(&PlanView::from(plan))? })
    })
    .await?;
    match saved {
        Saved::New(plan) => json(StatusCode::CREATED, &PlanView::from(plan.as_ref())),
        Saved::Replayed(record) => platform::idempotency::replay(&record, &command.fingerprint()),
    }
}

/// `PUT /plans/{planNo}` (the body of `POST /plans`) -> 200 [`PlanView`] (`Designed`, `version +
/// 1`, a new description needed); 404 unknown or another's; 422 underwriting or another
/// `customerNo`; 503 when product cannot answer (nothing saved).
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(put, path = "/plans/{planNo}", tag = "plans", operation_id = "changePlan",
    params(("planNo" = String, Path, description = "The 14-digit plan number.")),
    request_body = DesignRequest,
    responses(
        (status = 200, description = "Saved: Designed again, version + 1.", body = PlanView),
        (status = 403, description = "The caller is a manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, not the caller's, or no such product.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed concurrently; try again.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Underwriting refused, or another customerNo than the plan's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Product cannot answer in time (`Retry-After`); nothing saved.", body = platform::openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait."))),
    ))]
pub async fn change<S: Plans, Q: Quote>(
    deps: &wiring::QuotingFunction<S, Q>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let subject = customer(&request)?;
    let no = plan_no(&request)?;
    let (customer_no, design) = design_of(&request)?;
    let plan = application::change(&deps.store, &deps.product, (&no, &subject), &customer_no, &design).await?;
    json(StatusCode::OK, &PlanView::from(&plan))
}

/// The answer of `POST /plans/{planNo}/description`.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DescriptionRequestedView {
    /// The plan.
    pub plan_no: String,
    /// `DescriptionRequested`.
    pub status: String,
    /// The plan version the description will describe.
    pub version: u64,
}

/// `POST /plans/{planNo}/description` -> 202 `{status: "DescriptionRequested"}` (FR 6; a repeat
/// answers the same); product issues it and announces it by event. 409 issued already for this
/// version; 404 unknown or another's.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/plans/{planNo}/description", tag = "plans", operation_id = "requestDescription",
    params(("planNo" = String, Path, description = "The 14-digit plan number.")),
    responses(
        (status = 202, description = "Requested; product issues it by event.", body = DescriptionRequestedView),
        (status = 403, description = "The caller is a manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Issued already for this version.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn request_description<S: Plans>(
    deps: &wiring::PlanFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let subject = customer(&request)?;
    let no = plan_no(&request)?;
    let plan = application::request_description(&deps.store, &no, &subject).await?;
    let view = DescriptionRequestedView {
        plan_no: plan.plan_no.to_string(),
        status: plan.status.to_string(),
        version: plan.version,
    };
    json(StatusCode::ACCEPTED, &view)
}

/// `GET /plans/{planNo}` -> 200 [`PlanView`] for its customer or the insurance manager; 404
/// otherwise.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/plans/{planNo}", tag = "plans", operation_id = "getPlan",
    params(("planNo" = String, Path, description = "The 14-digit plan number.")),
    responses(
        (status = 200, description = "The design and its status.", body = PlanView),
        (status = 403, description = "The caller is a product manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get<S: Plans>(deps: &wiring::PlanFunction<S>, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    if caller.is(PRODUCT_MANAGER) {
        return Err(ApiError::Forbidden("plans are the customers' and the insurance manager's".to_owned()));
    }
    let viewer = if caller.is(INSURANCE_MANAGER) { Viewer::Manager } else { Viewer::Customer(caller.subject) };
    let no = plan_no(&request)?;
    let plan = application::get(&deps.store, &no, &viewer).await?;
    json(StatusCode::OK, &PlanView::from(&plan))
}

/// The plan context's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(quote, save, change, request_description, get), tags((name = "plans", description = "Premium quotes and subscription designs (FR 3-6).")))]
pub struct Api;
