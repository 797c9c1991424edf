//! API Gateway handlers of the proposal context. Every route needs a token (401 without one);
//! applying, paying and withdrawing are the plan's customer's (a manager gets 403);
//! `GET /proposals/{proposalNo}` is its customer's or the insurance manager's. Another
//! customer's proposal or plan is 404, so nobody learns that it exists.

use chrono::{DateTime, SecondsFormat, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use platform::Won;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use serde::{Deserialize, Serialize};

use crate::application::{self, FirstAnswer, ProposalError, SubmitError, SubmitProposal, Submitted, Viewer};
use crate::domain::{Account, Proposal, ProposalNo};
use crate::ports::{Pay, PlanCopies, Proposals};
use crate::wiring;
use crate::{INSURANCE_MANAGER, PRODUCT_MANAGER};

fn stamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A proposal (or contract) as the API shows it (the original's `getCntr`).
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProposalView {
    /// 14-digit proposal number.
    pub proposal_no: String,
    /// Its plan.
    pub plan_no: String,
    /// The plan version applied from.
    pub plan_version: u64,
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
    /// One monthly premium, won.
    #[schema(value_type = u64, example = 80000)]
    pub first_premium: Won,
    /// `Submitted`, `Contracted` or `Withdrawn`.
    pub status: String,
    /// Its payment, once paid.
    pub payment_id: Option<String>,
    /// When submitted, RFC 3339 UTC.
    pub submitted_at: String,
    /// When contracted.
    pub contracted_at: Option<String>,
    /// When withdrawn.
    pub withdrawn_at: Option<String>,
}

impl From<&Proposal> for ProposalView {
    fn from(p: &Proposal) -> Self {
        Self {
            proposal_no: p.proposal_no.to_string(),
            plan_no: p.plan_no.clone(),
            plan_version: p.terms.version,
            customer_no: p.terms.customer_no.clone(),
            customer_name: p.terms.customer_name.clone(),
            product_code: p.terms.product_code.clone(),
            product_name: p.terms.product_name.clone(),
            sum_insured: p.terms.sum_insured,
            insurance_period_years: p.terms.insurance_period_years,
            payment_period_years: p.terms.payment_period_years,
            payment_cycle: p.terms.payment_cycle.clone(),
            monthly_premium: p.terms.monthly_premium,
            first_premium: p.first_premium,
            status: p.status.to_string(),
            payment_id: p.payment_id.as_ref().map(ToString::to_string),
            submitted_at: stamp(&p.submitted_at),
            contracted_at: p.contracted_at.as_ref().map(stamp),
            withdrawn_at: p.withdrawn_at.as_ref().map(stamp),
        }
    }
}

/// The caller as a customer: the token's `sub`; 403 for the managers.
fn customer(request: &Request) -> Result<String, ApiError> {
    let caller = platform::auth::caller(request)?;
    if caller.is(PRODUCT_MANAGER) || caller.is(INSURANCE_MANAGER) {
        return Err(ApiError::Forbidden("this is for customers, not managers".to_owned()));
    }
    Ok(caller.subject)
}

fn proposal_no(request: &Request) -> Result<ProposalNo, ApiError> {
    let raw = path_parameter(request, "proposalNo")?;
    ProposalNo::parse(&raw).map_err(|_| ApiError::NotFound(format!("proposal {raw} not found")))
}

fn idempotency_checked(request: &Request) -> Result<(), ApiError> {
    if request.headers().get(platform::idempotency::HEADER).is_some() {
        platform::idempotency::key(request)?;
    }
    Ok(())
}

impl From<SubmitError> for ApiError {
    fn from(err: SubmitError) -> Self {
        match err {
            SubmitError::UnknownPlan(_) => Self::NotFound(err.to_string()),
            SubmitError::NoDescription | SubmitError::LiveProposal => Self::Conflict(err.to_string()),
            SubmitError::KeyReused => Self::Unprocessable(err.to_string()),
            SubmitError::Storage(err) => Self::Internal(err),
        }
    }
}

impl From<ProposalError> for ApiError {
    fn from(err: ProposalError) -> Self {
        match err {
            ProposalError::NotFound(_) => Self::NotFound(err.to_string()),
            ProposalError::Withdrawn(_) | ProposalError::Contended => Self::Conflict(err.to_string()),
            ProposalError::PayUnavailable(err) => err.into_api_error("payment"),
            ProposalError::Storage(err) => Self::Internal(err),
        }
    }
}

/// Body of `POST /proposals`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"planNo": "20261122093015"}))]
pub struct SubmitProposalRequest {
    /// The 14-digit plan number.
    #[schema(required = true, value_type = String)]
    pub plan_no: Option<String>,
}

/// `POST /proposals` `{planNo}` (optional `Idempotency-Key`) -> 201 [`ProposalView`]
/// (`Submitted`, `firstPremium`); 404 plan not known (yet) or another's; 409 no issued
/// description for its current version, or a live proposal exists; 400 naming the field.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/proposals", tag = "proposals", operation_id = "submitProposal",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Optional: a repeat with the same key and body gets the first 201 again.")),
    request_body = SubmitProposalRequest,
    responses(
        (status = 201, description = "Submitted (or the first answer again, with `Idempotent-Replayed: true`).", body = ProposalView),
        (status = 403, description = "The caller is a manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The plan is not known (yet), or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No issued description for the plan's current version, or a live proposal exists.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The key was used with another body.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn submit<S: PlanCopies + Proposals>(
    deps: &wiring::ProposalFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let subject = customer(&request)?;
    let key = match request.headers().get(platform::idempotency::HEADER) {
        Some(_) => Some(platform::idempotency::key(&request)?),
        None => None,
    };
    let body: SubmitProposalRequest = parse_json(&request)?;
    let mut v = Validation::new();
    let plan_no = v.required("planNo", body.plan_no.as_deref(), |s: &str| {
        if s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()) { Ok(s.to_owned()) } else { Err("must be 14 digits") }
    });
    v.finish()?;
    let Some(plan_no) = plan_no else { return Err(ApiError::field("planNo", "is required")) };
    let command = SubmitProposal { subject, key, plan_no };
    let submitted = application::submit(&deps.store, &command, |p| {
        Ok(FirstAnswer { status: StatusCode::CREATED.as_u16(), body: serde_json::to_string(&ProposalView::from(p))? })
    })
    .await?;
    match submitted {
        Submitted::New(p) => json(StatusCode::CREATED, &ProposalView::from(p.as_ref())),
        Submitted::Replayed(record) => platform::idempotency::replay(&record, &command.fingerprint()),
    }
}

/// Body of `POST /proposals/{proposalNo}/payment`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"bankCode": "088", "accountNo": "110123456789", "accountHolder": "양건우"}))]
pub struct PayRequest {
    /// 3-digit bank code (`fininCd`).
    #[schema(required = true, value_type = String)]
    pub bank_code: Option<String>,
    /// Bank name, up to 50 characters.
    #[schema(value_type = Option<String>)]
    pub bank_name: Option<String>,
    /// Account number: 6 to 20 digits.
    #[schema(required = true, value_type = String)]
    pub account_no: Option<String>,
    /// Account holder, 1 to 50 characters.
    #[schema(required = true, value_type = String)]
    pub account_holder: Option<String>,
}

/// The answer of a payment.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaidView {
    /// The proposal.
    pub proposal_no: String,
    /// `Contracted`.
    pub status: String,
    /// The payment.
    pub payment_id: Option<String>,
    /// Paid, won (the first premium).
    #[schema(value_type = u64, example = 80000)]
    pub amount: Won,
}

fn digits(text: &str, range: std::ops::RangeInclusive<usize>, what: &'static str) -> Result<String, &'static str> {
    if range.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err(what)
    }
}

fn holder(text: &str) -> Result<String, String> {
    match platform::text::bounded(text, 50) {
        Ok(name) if !name.is_empty() => Ok(name),
        Ok(_) => Err("must not be empty".to_owned()),
        Err(err) => Err(err.to_string()),
    }
}

/// `POST /proposals/{proposalNo}/payment` (optional `Idempotency-Key`) -> 200
/// `{status: "Contracted", paymentId, amount}` (FR 9), the same 200 when contracted already;
/// 400 naming the account field; 409 withdrawn; 404 unknown or another's; 503 + `Retry-After`
/// when payment cannot answer in time (the proposal stays `Submitted`; a payment that completes
/// late reaches it by `PayApproved`).
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(post, path = "/proposals/{proposalNo}/payment", tag = "proposals", operation_id = "payFirstPremium",
    params(("proposalNo" = String, Path, description = "The 14-digit proposal number."),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Optional; paying is idempotent by proposal anyway.")),
    request_body = PayRequest,
    responses(
        (status = 200, description = "Contracted (now, or before: the same payment).", body = PaidView),
        (status = 403, description = "The caller is a manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The proposal was withdrawn.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Payment cannot answer in time (`Retry-After`); the proposal stays Submitted.", body = platform::openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait."))),
    ))]
pub async fn pay<S: Proposals, P: Pay>(
    deps: &wiring::PayProposal<S, P>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let subject = customer(&request)?;
    idempotency_checked(&request)?;
    let no = proposal_no(&request)?;
    let body: PayRequest = parse_json(&request)?;
    let mut v = Validation::new();
    let bank_code = v.required("bankCode", body.bank_code.as_deref(), |s: &str| digits(s, 3..=3, "must be 3 digits"));
    let bank_name = body.bank_name.as_deref().and_then(|s| v.check("bankName", platform::text::bounded(s, 50)));
    let account_no =
        v.required("accountNo", body.account_no.as_deref(), |s: &str| digits(s, 6..=20, "must be 6 to 20 digits"));
    let account_holder = v.required("accountHolder", body.account_holder.as_deref(), holder);
    v.finish()?;
    let (Some(bank_code), Some(account_no), Some(account_holder)) = (bank_code, account_no, account_holder) else {
        return Err(ApiError::field("bankCode", "is required"));
    };
    let account = Account { bank_code, bank_name, account_no, account_holder };
    let paid = application::pay(&deps.store, &deps.pay, (&no, &subject), &account).await?;
    let view = PaidView {
        proposal_no: paid.proposal_no.to_string(),
        status: paid.status.to_string(),
        payment_id: paid.payment_id.as_ref().map(ToString::to_string),
        amount: paid.first_premium,
    };
    json(StatusCode::OK, &view)
}

/// `POST /proposals/{proposalNo}/withdraw` -> 200 [`ProposalView`] (`Withdrawn`, FR 10); its
/// payment is cancelled by event (FR 11). 409 withdrawn already; 404 unknown or another's.
///
/// # Errors
/// The [`ApiError`] of each refusal above; nothing is written.
#[utoipa::path(post, path = "/proposals/{proposalNo}/withdraw", tag = "proposals", operation_id = "withdrawProposal",
    params(("proposalNo" = String, Path, description = "The 14-digit proposal number.")),
    responses(
        (status = 200, description = "Withdrawn; the payment is cancelled by event.", body = ProposalView),
        (status = 403, description = "The caller is a manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Withdrawn already.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn withdraw<S: Proposals>(
    deps: &wiring::ProposalFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let subject = customer(&request)?;
    let no = proposal_no(&request)?;
    let withdrawn = application::withdraw(&deps.store, &no, &subject).await?;
    json(StatusCode::OK, &ProposalView::from(&withdrawn))
}

/// `GET /proposals/{proposalNo}` -> 200 [`ProposalView`] for its customer or the insurance
/// manager; 404 otherwise.
///
/// # Errors
/// The [`ApiError`] of each refusal above.
#[utoipa::path(get, path = "/proposals/{proposalNo}", tag = "proposals", operation_id = "getProposal",
    params(("proposalNo" = String, Path, description = "The 14-digit proposal number.")),
    responses(
        (status = 200, description = "The proposal or contract.", body = ProposalView),
        (status = 403, description = "The caller is a product manager.", body = platform::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal, or not the caller's.", body = platform::openapi::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get<S: Proposals>(
    deps: &wiring::ProposalFunction<S>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(&request)?;
    if caller.is(PRODUCT_MANAGER) {
        return Err(ApiError::Forbidden("proposals are the customers' and the insurance manager's".to_owned()));
    }
    let viewer = if caller.is(INSURANCE_MANAGER) { Viewer::Manager } else { Viewer::Customer(caller.subject) };
    let no = proposal_no(&request)?;
    let proposal = application::get(&deps.store, &no, &viewer).await?;
    json(StatusCode::OK, &ProposalView::from(&proposal))
}

/// The proposal context's routes, for the system's OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(submit, pay, withdraw, get), tags((name = "proposals", description = "Applying, paying the first premium, withdrawing (FR 8-11).")))]
pub struct Api;
