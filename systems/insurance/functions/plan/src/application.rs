//! Plan's use cases: [`quote`] (nothing saved), [`save`], [`change`], [`request_description`],
//! [`get`], and the reactions [`keep_customer`] and [`description_issued`]. The first three ask
//! product synchronously (timeout + breaker); when product cannot answer, nothing is saved (503).

use chrono::{NaiveDate, Utc};
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::idempotency::{Fingerprint, IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;
use platform::retry::{Conflict, on_conflict};

use crate::domain::{AlreadyIssued, CustomerCopy, Design, Plan, PlanNo, Quoted, age_on, today};
use crate::ports::{Customers, Plans, Quote, QuoteAnswer};

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// A customer (the token's `sub`): sees only their own plans.
    Customer(String),
    /// The insurance manager: sees every plan.
    Manager,
}

/// Why a quote, a save or a change did not happen; nothing was saved.
#[derive(Debug, thiserror::Error)]
pub enum QuoteError {
    /// No copy of the customer yet (404: plan learns customers by event).
    #[error("customer {0} is not known (yet)")]
    UnknownCustomer(String),
    /// The customer number is another's (403).
    #[error("customerNo {0} is not yours")]
    NotYours(String),
    /// No such product (404).
    #[error("no product {0}")]
    UnknownProduct(String),
    /// Underwriting refused (422), every failing condition named.
    #[error("underwriting refused: {}", .0.join("; "))]
    Refused(Vec<String>),
    /// Product cannot answer now (503 + `Retry-After`).
    #[error("product cannot answer")]
    ProductUnavailable(#[source] InvokeError),
    /// No such plan, or another's (404).
    #[error("no plan {0}")]
    UnknownPlan(PlanNo),
    /// A change names another customer than the plan's (422).
    #[error("a plan's customer cannot change")]
    OtherCustomer,
    /// The key was used before for a different request (422).
    #[error("this Idempotency-Key was already used for a different request")]
    KeyReused,
    /// Concurrent writers kept winning (409).
    #[error("the plan kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for QuoteError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for QuoteError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

async fn owned_customer(customers: &impl Customers, no: &str, subject: &str) -> Result<CustomerCopy, QuoteError> {
    let copy = customers.find_customer(no).await?.ok_or_else(|| QuoteError::UnknownCustomer(no.to_owned()))?;
    if copy.subject != subject {
        return Err(QuoteError::NotYours(no.to_owned()));
    }
    Ok(copy)
}

async fn quoted(product: &impl Quote, design: &Design, birth: NaiveDate) -> Result<Quoted, QuoteError> {
    let age = age_on(birth, today(Utc::now()));
    match product.quote(design, age).await.map_err(QuoteError::ProductUnavailable)? {
        QuoteAnswer::Quoted(quoted) => Ok(quoted),
        QuoteAnswer::Refused(reasons) => {
            platform::metrics::count("QuotesRefused", 1);
            Err(QuoteError::Refused(reasons))
        }
        QuoteAnswer::UnknownProduct => Err(QuoteError::UnknownProduct(design.product_code.clone())),
    }
}

/// The premium of `design` for customer `customer_no` (the caller, `subject`), with product's
/// underwriting; nothing is saved.
///
/// # Errors
/// [`QuoteError`].
pub async fn quote(
    customers: &impl Customers,
    product: &impl Quote,
    (customer_no, subject): (&str, &str),
    design: &Design,
) -> Result<Quoted, QuoteError> {
    let customer = owned_customer(customers, customer_no, subject).await?;
    let quoted = quoted(product, design, customer.birth_date).await?;
    platform::metrics::count("QuotesGiven", 1);
    Ok(quoted)
}

/// The command of `POST /plans`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavePlan {
    /// The caller's token `sub`.
    pub subject: String,
    /// The client's idempotency key, if it sent one.
    pub key: Option<IdempotencyKey>,
    /// The customer.
    pub customer_no: String,
    /// The design.
    pub design: Design,
}

impl SavePlan {
    /// The request's meaning, to tell a replay from another request under the same key.
    pub fn fingerprint(&self) -> Fingerprint {
        platform::idempotency::fingerprint([
            self.subject.clone(),
            self.customer_no.clone(),
            serde_json::to_string(&self.design).unwrap_or_default(),
        ])
    }
}

/// A first answer as the edge renders it, remembered under the idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body (JSON).
    pub body: String,
}

/// What [`save`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Saved now.
    New(Box<Plan>),
    /// The key was used before for this same request: its first answer.
    Replayed(IdempotencyRecord),
}

fn replayed(record: IdempotencyRecord, fingerprint: &Fingerprint) -> Result<Saved, QuoteError> {
    if &record.fingerprint != fingerprint {
        return Err(QuoteError::KeyReused);
    }
    Ok(Saved::Replayed(record))
}

/// Saves a new design (FR 5): a repeat of a key answers its first answer; product quotes it;
/// the plan (`Designed`), `PlanSaved` and the first answer (rendered by `answer`) are written
/// in one transaction.
///
/// # Errors
/// [`QuoteError`]; nothing is written.
pub async fn save(
    customers: &impl Customers,
    plans: &impl Plans,
    product: &impl Quote,
    command: &SavePlan,
    answer: impl Fn(&Plan) -> anyhow::Result<FirstAnswer>,
) -> Result<Saved, QuoteError> {
    let fingerprint = command.fingerprint();
    if let Some(key) = &command.key
        && let Some(record) = plans.find_idempotency(&command.subject, key).await?
    {
        return replayed(record, &fingerprint);
    }
    let customer = owned_customer(customers, &command.customer_no, &command.subject).await?;
    let quoted = quoted(product, &command.design, customer.birth_date).await?;
    let saved = on_conflict(|| async {
        let (plan, events) =
            Plan::design(PlanNo::random(), customer.clone(), command.design.clone(), quoted.clone(), Utc::now());
        let first = answer(&plan)?;
        let record = IdempotencyRecord {
            fingerprint: fingerprint.clone(),
            resource_id: plan.plan_no.to_string(),
            status: first.status,
            response: first.body,
        };
        match plans.create(&plan, &events, command.key.as_ref().map(|key| (key, &record))).await {
            Ok(()) => Ok(Saved::New(Box::new(plan))),
            Err(WriteError::Storage(err)) => Err(QuoteError::Storage(err)),
            Err(WriteError::Conflict) => match &command.key {
                Some(key) => match plans.find_idempotency(&command.subject, key).await? {
                    Some(record) => replayed(record, &fingerprint),
                    None => Err(QuoteError::Contended),
                },
                None => Err(QuoteError::Contended),
            },
        }
    })
    .await?;
    if matches!(saved, Saved::New(_)) {
        platform::metrics::count("PlansSaved", 1);
    }
    Ok(saved)
}

async fn own_plan(plans: &impl Plans, no: &PlanNo, viewer: &Viewer) -> Result<Plan, QuoteError> {
    match plans.find(no).await? {
        Some(plan)
            if matches!(viewer, Viewer::Manager)
                || matches!(viewer, Viewer::Customer(s) if *s == plan.customer.subject) =>
        {
            Ok(plan)
        }
        _ => Err(QuoteError::UnknownPlan(no.clone())),
    }
}

/// Saves a change of plan `no` of the caller `subject`: product quotes it again; `Designed`,
/// version + 1, with `PlanSaved`.
///
/// # Errors
/// [`QuoteError`]; nothing is written.
pub async fn change(
    plans: &impl Plans,
    product: &impl Quote,
    (no, subject): (&PlanNo, &str),
    customer_no: &str,
    design: &Design,
) -> Result<Plan, QuoteError> {
    let current = own_plan(plans, no, &Viewer::Customer(subject.to_owned())).await?;
    if current.customer.customer_no != customer_no {
        return Err(QuoteError::OtherCustomer);
    }
    let quoted = quoted(product, design, current.customer.birth_date).await?;
    let changed = on_conflict(|| async {
        let current = own_plan(plans, no, &Viewer::Customer(subject.to_owned())).await?;
        let (changed, events) = current.change(design.clone(), quoted.clone(), Utc::now());
        plans.save(&changed, current.revision, &events).await?;
        Ok::<_, QuoteError>(changed)
    })
    .await?;
    platform::metrics::count("PlansChanged", 1);
    Ok(changed)
}

/// Why a description was not requested or a plan not shown.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// Unknown, or another's (404).
    #[error("no plan {0}")]
    NotFound(PlanNo),
    /// Issued already for this version (409).
    #[error(transparent)]
    AlreadyIssued(#[from] AlreadyIssued),
    /// Concurrent writers kept winning (409).
    #[error("the plan kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for PlanError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for PlanError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Plan `no` as `viewer` may see it.
///
/// # Errors
/// [`PlanError::NotFound`] (also another customer's), storage.
pub async fn get(plans: &impl Plans, no: &PlanNo, viewer: &Viewer) -> Result<Plan, PlanError> {
    match own_plan(plans, no, viewer).await {
        Ok(plan) => Ok(plan),
        Err(QuoteError::Storage(err)) => Err(PlanError::Storage(err)),
        Err(_) => Err(PlanError::NotFound(no.clone())),
    }
}

/// Requests the product description of plan `no` of the caller `subject` (FR 6):
/// `DescriptionRequested` with `ProductDescriptionRequested`; a repeat answers the same.
///
/// # Errors
/// [`PlanError`]; nothing is written.
pub async fn request_description(plans: &impl Plans, no: &PlanNo, subject: &str) -> Result<Plan, PlanError> {
    on_conflict(|| async {
        let current = get(plans, no, &Viewer::Customer(subject.to_owned())).await?;
        match current.request_description(Utc::now())? {
            None => Ok(current),
            Some((requested, events)) => {
                plans.save(&requested, current.revision, &events).await?;
                platform::metrics::count("DescriptionsRequested", 1);
                Ok::<_, PlanError>(requested)
            }
        }
    })
    .await
}

/// What a reaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// Changed now.
    Changed,
    /// Nothing to change (a repeat, an older event, or an unknown plan).
    Nothing,
}

/// Keeps the copy of a customer (event `cause`: `CustomerRegistered`), once.
///
/// # Errors
/// Storage (retried).
pub async fn keep_customer(
    customers: &impl Customers,
    copy: &CustomerCopy,
    cause: &EventEnvelope,
) -> Result<Followed, PlanError> {
    match customers.save_customer_once(cause, copy).await {
        Ok(Applied::Now) => Ok(Followed::Changed),
        Ok(Applied::AlreadyDone) | Err(WriteError::Conflict) => Ok(Followed::Nothing),
        Err(WriteError::Storage(err)) => Err(PlanError::Storage(err)),
    }
}

/// `ProductDescriptionIssued` (event `cause`) for plan `no` version `version` on `issued_on`:
/// `DescriptionIssued` when it is the plan's current version.
///
/// # Errors
/// [`PlanError`] (retried).
pub async fn description_issued(
    plans: &impl Plans,
    no: &PlanNo,
    (version, issued_on): (u64, NaiveDate),
    cause: &EventEnvelope,
) -> Result<Followed, PlanError> {
    on_conflict(|| async {
        let Some(current) = plans.find(no).await? else {
            tracing::warn!(plan_no = %no, "a description for an unknown plan; acknowledged");
            return Ok(Followed::Nothing);
        };
        let applied = match current.description_issued(version, issued_on, Utc::now()) {
            Some(next) => plans.save_once(cause, &next, current.revision).await?,
            None => {
                plans.skip_once(cause).await?;
                return Ok(Followed::Nothing);
            }
        };
        Ok::<_, PlanError>(match applied {
            Applied::Now => Followed::Changed,
            Applied::AlreadyDone => Followed::Nothing,
        })
    })
    .await
}
