//! HTTP handlers of the order context (API Gateway HTTP API, payload 2.0).

use chrono::Utc;
use contracts::order::{OrderCancelled, OrderLine, OrderPlaced};
use contracts::ticket_cancel::CancelTicketResult;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use platform::EventEnvelope;
use platform::auth::Caller;
use platform::http::{ApiError, Validation, json, parse_json, path_parameter};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tracing::Instrument;

use crate::SOURCE;
use crate::domain::{
    CancelError, MAX_LINES, Order, OrderId, PlaceError, RequestedLine, parse_customer_id, parse_quantity,
};
use crate::ports::{ProductPricing, TicketDesk};
use crate::store::{IdempotencyRecord, OrderRepository, SaveError};

/// Attempts of a write that keeps meeting concurrent changes.
const WRITE_ATTEMPTS: usize = 3;
/// Most orders `GET /orders?customerId=` returns.
pub const LIST_LIMIT: i32 = 50;

/// An order as the API shows it. Amounts in won.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    /// Order id.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// `Placed`, `Waiting`, `Completed` or `Cancelled`.
    pub status: String,
    /// Total in won.
    pub amount: u64,
    /// The lines with their prices at order time.
    pub lines: Vec<OrderLine>,
    /// The counter's waiting number, once issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_number: Option<u32>,
    /// The counter's ticket, once issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_id: Option<String>,
    /// Whether `POST /orders/{orderId}/cancel` can still succeed.
    pub cancellable: bool,
    /// When it was placed, RFC 3339 UTC.
    pub placed_at: String,
    /// When it last changed, RFC 3339 UTC.
    pub updated_at: String,
}

impl From<&Order> for OrderView {
    fn from(order: &Order) -> Self {
        let at = |t: &chrono::DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        Self {
            order_id: order.id.as_str().to_owned(),
            customer_id: order.customer_id.clone(),
            status: order.status.as_str().to_owned(),
            amount: order.amount,
            lines: order.lines.clone(),
            waiting_number: order.waiting_number,
            delivery_id: order.delivery_id.clone(),
            cancellable: order.check_cancellable().is_ok(),
            placed_at: at(&order.placed_at),
            updated_at: at(&order.updated_at),
        }
    }
}

/// One requested line of `POST /orders`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemRequest {
    /// The product.
    pub product_id: Option<String>,
    /// How many, 1..=20.
    pub quantity: Option<i64>,
}

/// Body of `POST /orders`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlaceRequest {
    /// Who orders.
    pub customer_id: Option<String>,
    /// What, 1 to 20 lines, each product once.
    pub items: Option<Vec<ItemRequest>>,
}

struct PlaceCommand {
    customer_id: String,
    lines: Vec<RequestedLine>,
}

impl PlaceCommand {
    /// A fingerprint of the request's meaning, to tell a replay from a different request.
    fn fingerprint(&self) -> String {
        let mut text = self.customer_id.clone();
        for line in &self.lines {
            text.push_str(&format!("|{}x{}", line.product_id, line.quantity));
        }
        let digest = Sha256::digest(text.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn validate_place(body: PlaceRequest, caller: &Caller) -> Result<PlaceCommand, ApiError> {
    let mut validation = Validation::new();
    // The customer is the caller; a customerId in the body, if any, must be the caller's.
    let customer_id = match &body.customer_id {
        Some(id) => match validation.check("customerId", parse_customer_id(id)) {
            Some(id) if id != caller.subject => {
                return Err(ApiError::Forbidden("customerId must be your own".to_owned()));
            }
            other => other,
        },
        None => Some(caller.subject.clone()),
    };
    let mut lines: Vec<RequestedLine> = Vec::new();
    match &body.items {
        None => validation.missing("items"),
        Some(items) if items.is_empty() => validation.reject("items", "must hold at least one item"),
        Some(items) if items.len() > MAX_LINES => validation.reject("items", "must hold at most 20 items"),
        Some(items) => {
            for (index, item) in items.iter().enumerate() {
                let product_id = match item.product_id.as_deref().map(str::trim) {
                    None => {
                        validation.missing(&format!("items[{index}].productId"));
                        None
                    }
                    Some("") => {
                        validation.reject(&format!("items[{index}].productId"), "must not be empty");
                        None
                    }
                    Some(id) if id.len() > 100 => {
                        validation.reject(&format!("items[{index}].productId"), "must be at most 100 characters");
                        None
                    }
                    Some(id) if lines.iter().any(|l| l.product_id == id) => {
                        validation.reject(&format!("items[{index}].productId"), "appears twice; use quantity");
                        None
                    }
                    Some(id) => Some(id.to_owned()),
                };
                let quantity = match item.quantity {
                    Some(quantity) => validation.check(&format!("items[{index}].quantity"), parse_quantity(quantity)),
                    None => {
                        validation.missing(&format!("items[{index}].quantity"));
                        None
                    }
                };
                if let (Some(product_id), Some(quantity)) = (product_id, quantity) {
                    lines.push(RequestedLine { product_id, quantity });
                }
            }
        }
    }
    validation.finish()?;
    let customer_id = customer_id.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("validated without a customer")))?;
    Ok(PlaceCommand { customer_id, lines })
}

fn idempotency_key(request: &Request) -> Result<String, ApiError> {
    let key =
        request.headers().get("idempotency-key").map(|v| v.to_str().unwrap_or_default().trim().to_owned()).ok_or_else(
            || ApiError::field("Idempotency-Key", "header is required: a unique value per order attempt"),
        )?;
    if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::field("Idempotency-Key", "must be 1 to 255 visible ASCII characters"));
    }
    Ok(key)
}

fn replay(record: &IdempotencyRecord, fingerprint: &str) -> Result<Response<Body>, ApiError> {
    if record.request_hash != fingerprint {
        return Err(ApiError::Unprocessable("this Idempotency-Key was already used for a different order".to_owned()));
    }
    tracing::info!(order_id = %record.order_id, "idempotent replay");
    Ok(Response::builder()
        .status(StatusCode::CREATED)
        .header("content-type", "application/json")
        .header("idempotent-replayed", "true")
        .body(Body::Text(record.response.clone()))
        .expect("static headers are valid"))
}

/// `POST /orders` `{customerId?, items: [{productId, quantity}]}` with an
/// `Idempotency-Key` header -> 201 [`OrderView`] (Placed) for the calling customer (the
/// token's `sub`; a `customerId` in the body must be the same, else 403). The same key and body answer
/// the first response again; the same key with another body -> 422. Unknown or sold-out
/// products -> 422 naming them; the product context unavailable -> 503 with `Retry-After`.
/// Prices come from the product context. Emits `OrderPlaced`.
pub async fn place_order<R: OrderRepository, P: ProductPricing>(
    repo: &R,
    pricing: &P,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(request)?;
    parse_customer_id(&caller.subject)
        .map_err(|_| ApiError::Forbidden("the token's subject is not a customer id".to_owned()))?;
    let key = idempotency_key(request)?;
    let command = validate_place(parse_json(request)?, &caller)?;
    let fingerprint = command.fingerprint();
    if let Some(record) = repo.find_idempotency(&command.customer_id, &key).await? {
        return replay(&record, &fingerprint);
    }
    let ids = command.lines.iter().map(|l| l.product_id.clone()).collect();
    let check = pricing.check(ids).await.map_err(|err| err.into_api_error("the menu"))?;
    let order =
        Order::place(command.customer_id.clone(), &command.lines, &check, Utc::now()).map_err(|err| match err {
            PlaceError::UnknownProducts(ids) => {
                ApiError::Unprocessable(format!("unknown products: {}", ids.join(", ")))
            }
            PlaceError::NotOrderable(names) => {
                ApiError::Unprocessable(format!("not orderable now (sold out): {}", names.join(", ")))
            }
        })?;
    let span = tracing::info_span!("place_order", correlation_id = %order.id.as_str());
    async {
        let view = OrderView::from(&order);
        let response = serde_json::to_string(&view).map_err(|err| ApiError::Internal(err.into()))?;
        let record =
            IdempotencyRecord { request_hash: fingerprint.clone(), order_id: order.id.as_str().to_owned(), response };
        let placed = OrderPlaced {
            order_id: order.id.as_str().to_owned(),
            customer_id: order.customer_id.clone(),
            lines: order.lines.clone(),
            amount: order.amount,
            placed_at: view.placed_at.clone(),
        };
        let event = EventEnvelope::new(SOURCE, order.id.as_str(), None, &placed)
            .map_err(|err| ApiError::Internal(err.into()))?;
        match repo.place(&order, &key, &record, &[event]).await {
            Ok(()) => {
                tracing::info!(amount = order.amount, "order placed");
                json(StatusCode::CREATED, &view)
            }
            // A concurrent request with the same key won: answer as it did.
            Err(SaveError::Conflict) => match repo.find_idempotency(&order.customer_id, &key).await? {
                Some(record) => replay(&record, &fingerprint),
                None => Err(ApiError::Conflict("the order could not be stored; try again".to_owned())),
            },
            Err(SaveError::Storage(err)) => Err(ApiError::Internal(err)),
        }
    }
    .instrument(span)
    .await
}

/// The addressed order, if `may_see` lets the caller see it; anything else is a 404, so
/// nobody learns that another customer's order exists.
async fn load<R: OrderRepository>(
    repo: &R,
    request: &Request,
    may_see: impl Fn(&Order) -> bool,
) -> Result<Order, ApiError> {
    let raw = path_parameter(request, "orderId")?;
    let not_found = || ApiError::NotFound(format!("order {raw} not found"));
    let id = OrderId::parse(&raw).map_err(|_| not_found())?;
    repo.find(&id).await?.filter(|order| may_see(order)).ok_or_else(not_found)
}

/// `GET /orders/{orderId}` -> 200 [`OrderView`] with status and waiting number, for its
/// customer, a barista or the owner; 404 otherwise or when unknown; 401 without a token.
pub async fn get_order<R: OrderRepository>(repo: &R, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(request)?;
    let staff = caller.is("barista") || caller.is("owner");
    let order = load(repo, request, |order| staff || order.customer_id == caller.subject).await?;
    json(StatusCode::OK, &OrderView::from(&order))
}

/// `GET /orders?customerId=` -> 200 `{"orders": [OrderView]}`, newest first, at most 50;
/// `customerId` defaults to the caller; another customer's -> 404 (the owner may ask for
/// anyone's); 400 for a malformed `customerId`; 401 without a token.
pub async fn list_orders<R: OrderRepository>(repo: &R, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(request)?;
    let query = request.query_string_parameters();
    let customer_id = query.first("customerId").unwrap_or(&caller.subject);
    let customer_id = parse_customer_id(customer_id).map_err(|err| ApiError::field("customerId", err.to_string()))?;
    if customer_id != caller.subject && !caller.is("owner") {
        return Err(ApiError::NotFound(format!("no orders of customer {customer_id} for you")));
    }
    let orders: Vec<OrderView> =
        repo.list_for_customer(&customer_id, LIST_LIMIT).await?.iter().map(OrderView::from).collect();
    json(StatusCode::OK, &serde_json::json!({ "orders": orders }))
}

/// `POST /orders/{orderId}/cancel` -> 200 [`OrderView`] (Cancelled) if the counter has not
/// started it (the counter is asked synchronously); 409 if it has; 404; 503 with
/// `Retry-After` if the counter cannot answer. Cancelling a cancelled order answers it
/// again. Only its customer may cancel (anyone else: 404; no token: 401). Emits
/// `OrderCancelled`.
pub async fn cancel_order<R: OrderRepository, D: TicketDesk>(
    repo: &R,
    desk: &D,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = platform::auth::caller(request)?;
    let mut order = load(repo, request, |order| order.customer_id == caller.subject).await?;
    let span = tracing::info_span!("cancel_order", correlation_id = %order.id.as_str());
    async {
        if order.status == crate::domain::OrderStatus::Cancelled {
            return json(StatusCode::OK, &OrderView::from(&order));
        }
        let too_late = || {
            ApiError::Conflict("the counter has already started this order; it can no longer be cancelled".to_owned())
        };
        order.check_cancellable().map_err(|CancelError::AlreadyStarted| too_late())?;
        match desk.cancel(order.id.as_str()).await.map_err(|err| err.into_api_error("the counter"))? {
            CancelTicketResult::AlreadyStarted => return Err(too_late()),
            CancelTicketResult::Cancelled => {}
        }
        for _ in 0..WRITE_ATTEMPTS {
            let cancelled = order.cancel(Utc::now()).map_err(|CancelError::AlreadyStarted| too_late())?;
            let event = OrderCancelled {
                order_id: order.id.as_str().to_owned(),
                customer_id: order.customer_id.clone(),
                amount: order.amount,
                reason: "CustomerRequest".to_owned(),
            };
            let envelope = EventEnvelope::new(SOURCE, order.id.as_str(), None, &event)
                .map_err(|err| ApiError::Internal(err.into()))?;
            match repo.save(&cancelled, order.version, &[envelope]).await {
                Ok(()) => {
                    tracing::info!("order cancelled");
                    return json(StatusCode::OK, &OrderView::from(&cancelled));
                }
                Err(SaveError::Conflict) => {
                    order = repo
                        .find(&order.id)
                        .await?
                        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("order vanished")))?;
                }
                Err(SaveError::Storage(err)) => return Err(ApiError::Internal(err)),
            }
        }
        Err(ApiError::Conflict("the order is changing; try again".to_owned()))
    }
    .instrument(span)
    .await
}
