//! The usage meter: what a run would be billed for on AWS, counted by the local stack.
//!
//! Served at `GET /_devstack/usage` on the Lambda API port ([`crate::control`]);
//! `DELETE /_devstack/usage` answers the same document and starts counting again from zero.
//! The document ([`Usage::snapshot`]):
//!
//! - `functions`: per function logical id, `{"memoryMb", "invocations", "coldStarts",
//!   "durationMs", "billedMs", "scheduledInvocations", "scheduledBilledMs", "logBytes", "logLines"}`: `billedMs` sums each invocation's
//!   duration plus its init time (a custom runtime's init is billed), each rounded up to
//!   1 ms as Lambda bills; `logBytes` counts every stdout line the function wrote plus its
//!   newline (what CloudWatch Logs would ingest, without Lambda's own START/END/REPORT lines);
//!   `scheduledInvocations` and `scheduledBilledMs` are the part of those a schedule made;
//! - `api`: `{"requests"}`: requests the HTTP API received (every one is billed, refused ones too);
//! - `dynamodb`: per table name, `{"readUnits", "writeUnits", "readRequests", "writeRequests",
//!   "failedConditionalWrites"}`, for the functions' calls to the DynamoDB endpoint, as the
//!   embedded DynamoDB computes `ConsumedCapacity` (item size rounded up, transactions x2,
//!   index writes). The endpoint is a metering proxy ([`serve_dynamodb_proxy`]): a request
//!   of an operation that takes `ReturnConsumedCapacity` and does not ask for it is sent on
//!   with `"ReturnConsumedCapacity": "TOTAL"`, and the answer (which then carries
//!   `ConsumedCapacity`) comes back byte for byte, so its `x-amz-crc32` holds. A conditional
//!   write that fails its condition is billed on AWS but has no `ConsumedCapacity`: it is
//!   counted in `failedConditionalWrites` and as 1 write unit (the minimum). The stack's own
//!   in-process calls (stream reads of event source mappings, free on AWS) are not counted;
//! - `sns`: `{"publishRequests", "publishBatchRequests", "billedRequests"}`: Publish and
//!   PublishBatch calls to the SNS endpoint that succeeded, `billedRequests` counting each
//!   64 KB chunk of a request's body as one, as SNS bills;
//! - `sqs`: `{"receiveRequests", "emptyReceives", "deleteBatches", "sendsFromSns"}`: what an
//!   AWS event source mapping would call for the messages it delivered (one ReceiveMessage
//!   per batch received and one DeleteMessageBatch per batch deleted), the receives that
//!   found nothing (idle polling: a fixed cost per queue, not per message), and the messages
//!   SNS delivered to the template's queues (not the stack's own tap queues);
//! - `since`: when counting started (RFC 3339).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// DynamoDB operations that read, and take `ReturnConsumedCapacity`.
const READS: &[&str] = &["GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"];
/// DynamoDB operations that write, and take `ReturnConsumedCapacity`.
const WRITES: &[&str] = &["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"];
/// PartiQL operations, read or write by their statements; they take `ReturnConsumedCapacity`.
const STATEMENTS: &[&str] = &["ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"];
/// The size of one billed SNS request.
const SNS_CHUNK_BYTES: usize = 64 * 1024;
/// DynamoDB's largest request body.
const MAX_DYNAMODB_BODY: usize = 16 * 1024 * 1024;

/// One function's usage.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionUsage {
    /// Configured memory in MB (the template's `MemorySize`).
    pub memory_mb: u32,
    /// Invocations.
    pub invocations: u64,
    /// Invocations that were cold starts.
    pub cold_starts: u64,
    /// Summed duration in ms (without init).
    pub duration_ms: f64,
    /// Summed billed ms: each invocation's duration + init, rounded up to 1 ms.
    pub billed_ms: u64,
    /// Of `invocations`, those a schedule made (a fixed cost per hour, not per request).
    pub scheduled_invocations: u64,
    /// Of `billed_ms`, the scheduled invocations'.
    pub scheduled_billed_ms: u64,
    /// Bytes written to stdout, a newline per line included.
    pub log_bytes: u64,
    /// Lines written to stdout.
    pub log_lines: u64,
}

/// One table's DynamoDB usage.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableUsage {
    /// Read request units (on-demand: what `ConsumedCapacity` reports for reads).
    pub read_units: f64,
    /// Write request units (on-demand: what `ConsumedCapacity` reports for writes).
    pub write_units: f64,
    /// Read requests that reported capacity for this table.
    pub read_requests: u64,
    /// Write requests that reported capacity for this table.
    pub write_requests: u64,
    /// Single-item writes refused by their condition (counted as 1 write unit each).
    pub failed_conditional_writes: u64,
}

/// SNS usage.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnsUsage {
    /// Successful `Publish` calls.
    pub publish_requests: u64,
    /// Successful `PublishBatch` calls.
    pub publish_batch_requests: u64,
    /// Billed requests: each 64 KB chunk of a publish request's body.
    pub billed_requests: u64,
}

/// SQS usage by the event source mappings and SNS deliveries.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SqsUsage {
    /// Receives that returned messages.
    pub receive_requests: u64,
    /// Receives that returned nothing (idle polling).
    pub empty_receives: u64,
    /// Batches of deletes (one `DeleteMessageBatch` each on AWS).
    pub delete_batches: u64,
    /// Messages SNS delivered to the template's queues.
    pub sends_from_sns: u64,
}

/// Everything counted since [`Counts::since`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// When counting started.
    pub since: chrono::DateTime<chrono::Utc>,
    /// Per function logical id.
    pub functions: BTreeMap<String, FunctionUsage>,
    /// HTTP API usage.
    pub api: ApiUsage,
    /// Per table name.
    pub dynamodb: BTreeMap<String, TableUsage>,
    /// SNS usage.
    pub sns: SnsUsage,
    /// SQS usage.
    pub sqs: SqsUsage,
    /// Whether DynamoDB is metered: the stack runs with the metering proxy
    /// (`devstack up --meter-dynamodb`); without it `dynamodb` stays empty.
    pub dynamodb_metered: bool,
}

/// HTTP API usage.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiUsage {
    /// Requests received.
    pub requests: u64,
}

impl Default for Counts {
    fn default() -> Self {
        Self {
            since: chrono::Utc::now(),
            functions: BTreeMap::new(),
            api: ApiUsage::default(),
            dynamodb: BTreeMap::new(),
            sns: SnsUsage::default(),
            sqs: SqsUsage::default(),
            dynamodb_metered: false,
        }
    }
}

/// The meter; cheap to clone, all clones count together.
#[derive(Debug, Clone, Default)]
pub struct Usage(Arc<Mutex<Counts>>);

impl Usage {
    fn with<T>(&self, change: impl FnOnce(&mut Counts) -> T) -> T {
        change(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// What was counted so far.
    pub fn snapshot(&self) -> Counts {
        self.with(|counts| counts.clone())
    }

    /// What was counted so far; counting starts again from zero.
    pub fn reset(&self) -> Counts {
        self.with(|counts| {
            let metered = counts.dynamodb_metered;
            let counted = std::mem::take(counts);
            counts.dynamodb_metered = metered;
            counted
        })
    }

    /// Notes that DynamoDB calls go through the metering proxy ([`serve_dynamodb_proxy`]).
    pub fn meter_dynamodb(&self) {
        self.with(|counts| counts.dynamodb_metered = true);
    }

    /// Counts one invocation of `function` (memory `memory_mb`) that ran `duration_ms`, after
    /// an init of `init_ms` when it was a cold start; `scheduled` when a schedule made it.
    pub fn invocation(&self, function: &str, memory_mb: u32, duration_ms: f64, init_ms: Option<f64>, scheduled: bool) {
        let billed = billed_ms(duration_ms) + init_ms.map_or(0, billed_ms);
        self.with(|counts| {
            let usage = counts.functions.entry(function.to_owned()).or_default();
            usage.memory_mb = memory_mb;
            usage.invocations += 1;
            usage.cold_starts += u64::from(init_ms.is_some());
            usage.duration_ms += duration_ms;
            usage.billed_ms += billed;
            if scheduled {
                usage.scheduled_invocations += 1;
                usage.scheduled_billed_ms += billed;
            }
        });
    }

    /// Counts one stdout line of `function` (its bytes and a newline).
    pub fn log_line(&self, function: &str, line: &str) {
        self.with(|counts| {
            let usage = counts.functions.entry(function.to_owned()).or_default();
            usage.log_lines += 1;
            usage.log_bytes += line.len() as u64 + 1;
        });
    }

    /// Counts one HTTP API request.
    pub fn api_request(&self) {
        self.with(|counts| counts.api.requests += 1);
    }

    /// Counts a successful SNS call of `operation` (`Publish`, `PublishBatch`; others are
    /// free and ignored) whose request body had `body_bytes`.
    pub fn sns_call(&self, operation: &str, body_bytes: usize) {
        let chunks = body_bytes.div_ceil(SNS_CHUNK_BYTES).max(1) as u64;
        self.with(|counts| match operation {
            "Publish" => {
                counts.sns.publish_requests += 1;
                counts.sns.billed_requests += chunks;
            }
            "PublishBatch" => {
                counts.sns.publish_batch_requests += 1;
                counts.sns.billed_requests += chunks;
            }
            _ => {}
        });
    }

    /// Counts an event source mapping's receive that returned `messages` messages.
    pub fn sqs_receive(&self, messages: usize) {
        self.with(|counts| {
            if messages == 0 {
                counts.sqs.empty_receives += 1;
            } else {
                counts.sqs.receive_requests += 1;
            }
        });
    }

    /// Counts one batch of deletes by an event source mapping.
    pub fn sqs_delete_batch(&self) {
        self.with(|counts| counts.sqs.delete_batches += 1);
    }

    /// Counts a message SNS delivered to queue `queue_arn` (the stack's tap queues excluded).
    pub fn sqs_send_from_sns(&self, queue_arn: &str) {
        let name = queue_arn.rsplit(':').next().unwrap_or_default();
        if !name.starts_with(crate::durable_sqs::UNJOURNALED_PREFIX) {
            self.with(|counts| counts.sqs.sends_from_sns += 1);
        }
    }

    /// Counts the capacity a DynamoDB answer reports: `operation` (e.g. `PutItem`), the
    /// request as sent (JSON), the answer's status and body.
    pub fn dynamodb_call(&self, operation: &str, request: &Value, status: StatusCode, body: &[u8]) {
        let Some(write) = is_write(operation, request) else { return };
        if !status.is_success() {
            let conditional = std::str::from_utf8(body).is_ok_and(|b| b.contains("ConditionalCheckFailedException"));
            if conditional
                && matches!(operation, "PutItem" | "UpdateItem" | "DeleteItem")
                && let Some(table) = request["TableName"].as_str()
            {
                self.with(|counts| {
                    let usage = counts.dynamodb.entry(table.to_owned()).or_default();
                    usage.failed_conditional_writes += 1;
                    usage.write_units += 1.0;
                    usage.write_requests += 1;
                });
            }
            return;
        }
        let Ok(answer) = serde_json::from_slice::<Value>(body) else { return };
        let consumed: Vec<&Value> = match &answer["ConsumedCapacity"] {
            Value::Array(list) => list.iter().collect(),
            Value::Object(_) => vec![&answer["ConsumedCapacity"]],
            _ => Vec::new(),
        };
        self.with(|counts| {
            for capacity in consumed {
                let (Some(table), Some(units)) = (capacity["TableName"].as_str(), capacity["CapacityUnits"].as_f64())
                else {
                    continue;
                };
                let usage = counts.dynamodb.entry(table.to_owned()).or_default();
                if write {
                    usage.write_units += units;
                    usage.write_requests += 1;
                } else {
                    usage.read_units += units;
                    usage.read_requests += 1;
                }
            }
        });
    }
}

/// `ms` rounded up to a whole millisecond, as Lambda bills.
fn billed_ms(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        // A duration is far below u64::MAX ms; the cast saturates anyway.
        ms.ceil() as u64
    } else {
        0
    }
}

/// Whether `operation` writes (`Some(true)`), reads (`Some(false)`), or takes no
/// `ReturnConsumedCapacity` (`None`). PartiQL: by its (first) statement, `SELECT` reads.
fn is_write(operation: &str, request: &Value) -> Option<bool> {
    if READS.contains(&operation) {
        return Some(false);
    }
    if WRITES.contains(&operation) {
        return Some(true);
    }
    if STATEMENTS.contains(&operation) {
        let statement = request["Statement"]
            .as_str()
            .or_else(|| request["Statements"][0]["Statement"].as_str())
            .or_else(|| request["TransactStatements"][0]["Statement"].as_str())
            .unwrap_or_default();
        return Some(!statement.trim_start().to_ascii_uppercase().starts_with("SELECT"));
    }
    None
}

/// The request to send on: `body` with `"ReturnConsumedCapacity": "TOTAL"` when `operation`
/// takes it and the caller asked for none; `None` when it goes on unchanged.
fn with_capacity(operation: &str, request: &Value) -> Option<Value> {
    is_write(operation, request)?;
    match request.get("ReturnConsumedCapacity").and_then(Value::as_str) {
        None | Some("NONE") => {
            let mut changed = request.clone();
            changed.as_object_mut()?.insert("ReturnConsumedCapacity".to_owned(), json!("TOTAL"));
            Some(changed)
        }
        Some(_) => None,
    }
}

/// The metering proxy in front of the embedded DynamoDB.
#[derive(Clone)]
struct Proxy {
    upstream: String,
    usage: Usage,
    client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Full<Bytes>,
    >,
}

/// Serves the DynamoDB metering proxy on `listener`, forwarding every request to `upstream`
/// (`http://127.0.0.1:<port>` of the embedded DynamoDB) and counting capacity in `usage`.
pub async fn serve_dynamodb_proxy(listener: tokio::net::TcpListener, upstream: String, usage: Usage) {
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    // Without it, Nagle's algorithm and delayed ACKs add milliseconds to every call.
    connector.set_nodelay(true);
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
    let proxy = Proxy { upstream, usage, client };
    let app = axum::Router::new()
        .fallback(forward)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_DYNAMODB_BODY))
        .with_state(proxy);
    let listener = axum::serve::ListenerExt::tap_io(listener, |stream: &mut tokio::net::TcpStream| {
        let _ = stream.set_nodelay(true);
    });
    let _ = axum::serve(listener, app).await;
}

async fn forward(
    axum::extract::State(proxy): axum::extract::State<Proxy>,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_DYNAMODB_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let operation = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|target| target.strip_prefix("DynamoDB_20120810."))
        .map(str::to_owned);
    let parsed = operation.as_ref().and_then(|_| serde_json::from_slice::<Value>(&body).ok());
    let changed = match (&operation, &parsed) {
        (Some(operation), Some(request)) => with_capacity(operation, request),
        _ => None,
    };
    let body = match &changed {
        Some(request) => Bytes::from(request.to_string()),
        None => body,
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut upstream = http::Request::builder().method(parts.method.clone()).uri(format!("{}{path}", proxy.upstream));
    for (name, value) in &parts.headers {
        if name != http::header::CONTENT_LENGTH && name != http::header::HOST {
            upstream = upstream.header(name, value);
        }
    }
    let Ok(upstream) = upstream.body(http_body_util::Full::new(body)) else {
        return (StatusCode::BAD_REQUEST, "request cannot be forwarded").into_response();
    };
    let answer = match proxy.client.request(upstream).await {
        Ok(answer) => answer,
        Err(err) => return (StatusCode::BAD_GATEWAY, format!("DynamoDB unreachable: {err}")).into_response(),
    };
    let (answer_parts, answer_body) = answer.into_parts();
    let Ok(answer_body) = axum::body::to_bytes(axum::body::Body::new(answer_body), usize::MAX).await else {
        return (StatusCode::BAD_GATEWAY, "DynamoDB answer cut short").into_response();
    };
    if let (Some(operation), Some(request)) = (&operation, changed.as_ref().or(parsed.as_ref())) {
        proxy.usage.dynamodb_call(operation, request, answer_parts.status, &answer_body);
    }
    Response::from_parts(answer_parts, axum::body::Body::from(answer_body))
}

/// Middleware for the HTTP API's router: counts every request in `usage`.
pub async fn count_api_request(
    axum::extract::State(usage): axum::extract::State<Usage>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    usage.api_request();
    next.run(request).await
}

/// The SNS handler with its publishes counted in a [`Usage`].
pub struct MeteredSns<H> {
    inner: H,
    usage: Usage,
}

impl<H> MeteredSns<H> {
    /// `inner`, counting into `usage`.
    pub fn new(inner: H, usage: Usage) -> Self {
        Self { inner, usage }
    }
}

impl<H: rustack_sns_http::dispatch::SnsHandler> rustack_sns_http::dispatch::SnsHandler for MeteredSns<H> {
    fn handle_operation(
        &self,
        op: rustack_sns_model::operations::SnsOperation,
        body: Bytes,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<
                        http::Response<rustack_sns_http::body::SnsResponseBody>,
                        rustack_sns_model::error::SnsError,
                    >,
                > + Send,
        >,
    > {
        let bytes = body.len();
        let usage = self.usage.clone();
        let answer = self.inner.handle_operation(op, body);
        Box::pin(async move {
            let answer = answer.await;
            if answer.as_ref().is_ok_and(|response| response.status().is_success()) {
                usage.sns_call(op.as_str(), bytes);
            }
            answer
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test unwraps what must hold

    use super::*;
    use crate::emulators::Emulators;

    async fn call(emulators: &Emulators, operation: &str, body: Value) -> (StatusCode, Value) {
        let response = reqwest::Client::new()
            .post(&emulators.dynamodb_url)
            .header("x-amz-target", format!("DynamoDB_20120810.{operation}"))
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-date", "20260101T000000Z")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, \
                 SignedHeaders=host, Signature=00",
            )
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
        (status, response.json().await.unwrap())
    }

    async fn stack_with_table() -> Emulators {
        let emulators = Emulators::start_durable(None, None, true).await.unwrap();
        emulators
            .ddb(
                dynoxide::Database::create_table,
                json!({
                    "TableName": "things",
                    "KeySchema": [{ "AttributeName": "pk", "KeyType": "HASH" }],
                    "AttributeDefinitions": [{ "AttributeName": "pk", "AttributeType": "S" }],
                    "BillingMode": "PAY_PER_REQUEST",
                    "StreamSpecification": { "StreamEnabled": true, "StreamViewType": "NEW_IMAGE" },
                }),
            )
            .unwrap();
        emulators
    }

    #[tokio::test]
    async fn a_put_through_the_proxy_counts_its_write_units_and_a_transaction_twice() {
        let emulators = stack_with_table().await;
        let (status, answer) =
            call(&emulators, "PutItem", json!({ "TableName": "things", "Item": { "pk": { "S": "a" } } })).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let things = &emulators.usage.snapshot().dynamodb["things"];
        assert_eq!((things.write_units, things.write_requests, things.read_units), (1.0, 1, 0.0));

        // 2 KB (rounded up): 3 units; in a transaction, twice that.
        let big = "x".repeat(2100);
        let put = json!({ "Put": { "TableName": "things", "Item": { "pk": { "S": "b" }, "v": { "S": big } } } });
        let (status, answer) = call(&emulators, "TransactWriteItems", json!({ "TransactItems": [put] })).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(emulators.usage.snapshot().dynamodb["things"].write_units, 1.0 + 6.0);

        // An eventually consistent read of a small item: half a unit.
        let (_, answer) =
            call(&emulators, "GetItem", json!({ "TableName": "things", "Key": { "pk": { "S": "a" } } })).await;
        assert_eq!(answer["Item"]["pk"]["S"], "a");
        let things = emulators.usage.reset().dynamodb["things"].clone();
        assert_eq!((things.read_units, things.read_requests, things.write_requests), (0.5, 1, 2));
        assert!(emulators.usage.snapshot().dynamodb.is_empty(), "reset starts from zero");
    }

    #[tokio::test]
    async fn a_refused_condition_counts_one_unit_and_in_process_reads_count_nothing() {
        let emulators = stack_with_table().await;
        let put = json!({
            "TableName": "things", "Item": { "pk": { "S": "a" } },
            "ConditionExpression": "attribute_not_exists(pk)",
        });
        assert_eq!(call(&emulators, "PutItem", put.clone()).await.0, StatusCode::OK);
        let (status, answer) = call(&emulators, "PutItem", put).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        let things = emulators.usage.snapshot().dynamodb["things"].clone();
        assert_eq!((things.write_units, things.failed_conditional_writes), (2.0, 1));

        emulators
            .ddb(dynoxide::Database::get_item, json!({ "TableName": "things", "Key": { "pk": { "S": "a" } } }))
            .unwrap();
        assert_eq!(emulators.usage.snapshot().dynamodb["things"].read_units, 0.0);
    }

    #[tokio::test]
    async fn a_caller_that_asks_for_capacity_gets_its_own_request_through() {
        let emulators = stack_with_table().await;
        let put = json!({
            "TableName": "things", "Item": { "pk": { "S": "a" } }, "ReturnConsumedCapacity": "INDEXES",
        });
        let (_, answer) = call(&emulators, "PutItem", put).await;
        assert_eq!(answer["ConsumedCapacity"]["Table"]["CapacityUnits"], 1.0, "{answer}");
        assert_eq!(emulators.usage.snapshot().dynamodb["things"].write_units, 1.0);
    }

    #[test]
    fn invocations_bill_whole_milliseconds_with_init_and_logs_count_their_newlines() {
        let usage = Usage::default();
        usage.invocation("F", 256, 10.2, Some(30.5), false);
        usage.invocation("F", 256, 0.4, None, true);
        usage.log_line("F", "hello");
        usage.sns_call("Publish", 70 * 1024);
        usage.sns_call("Subscribe", 10);
        usage.sqs_receive(0);
        usage.sqs_receive(3);
        usage.sqs_send_from_sns("arn:aws:sqs:us-east-1:000000000000:devstack-tap-topic");
        usage.sqs_send_from_sns("arn:aws:sqs:us-east-1:000000000000:work");
        let counts = usage.snapshot();
        let f = &counts.functions["F"];
        assert_eq!((f.invocations, f.cold_starts, f.billed_ms, f.memory_mb), (2, 1, 11 + 31 + 1, 256));
        assert_eq!((f.scheduled_invocations, f.scheduled_billed_ms), (1, 1));
        assert_eq!((f.log_lines, f.log_bytes), (1, 6));
        assert_eq!((counts.sns.publish_requests, counts.sns.billed_requests), (1, 2));
        assert_eq!((counts.sqs.receive_requests, counts.sqs.empty_receives, counts.sqs.sends_from_sns), (1, 1, 1));
    }
}
