//! Serving a function: the few lines every `main` would otherwise repeat.
//!
//! A binary reads its typed configuration through [`start`] (which installs logging and
//! the metrics recorder first, so a missing variable is logged with its name before the
//! cold start fails; every helper below flushes the invocation's metrics, [`crate::metrics`]),
//! then hands its handler to one of:
//! - [`serve_http`] for API Gateway HTTP API routes: the handler answers
//!   `Result<Response, ApiError>`; errors become problem+json ([`crate::http::respond`]);
//! - [`serve_events`] for SQS consumers of domain events: one call per event, partial
//!   batch failures reported ([`crate::inbox::for_each_event`]);
//! - [`serve_invoke`] for synchronous `Invoke` targets: JSON in, JSON out; a failure is a
//!   function error of type `Retryable` with no internal text (the cause is logged);
//! - [`serve_stream`] for DynamoDB stream consumers;
//! - [`serve_stream_and_schedule`] for a function fed by both a DynamoDB stream and an
//!   EventBridge schedule (the outbox relay and its sweep).
//!
//! A function's `main` runs on tokio's current-thread runtime: a Lambda execution environment
//! handles one event at a time, and the multi-thread runtime's start (reading the cgroup CPU
//! quota to size its pool, starting a worker thread per CPU) is init time for nothing.
//!
//! ```no_run
//! # async fn handle(_: &(), _: lambda_http::Request) -> Result<lambda_http::Response<lambda_http::Body>, platform::http::ApiError> { todo!() }
//! # async fn from_env() -> Result<(), platform::config::ConfigError> { Ok(()) }
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> Result<(), lambda_http::Error> {
//!     let deps = platform::lambda::start(from_env()).await?;
//!     platform::lambda::serve_http(|request| handle(&deps, request)).await
//! }
//! ```

use std::future::Future;

use aws_lambda_events::event::dynamodb::Event as StreamBatch;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use lambda_http::{Body, Request, Response};
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::envelope::EventEnvelope;
use crate::http::ApiError;

/// The error type of a `main`.
pub type Error = lambda_runtime::Error;

/// Installs logging and metrics, then builds the function's dependencies from its
/// configuration.
///
/// The `service` of the logs and of the metrics' `Service` dimension is `SERVICE_NAME` when
/// set, else the crate that defines `D` (`order` for `order::wiring::PlaceOrder`).
///
/// # Errors
/// The configuration's error (a missing or malformed variable, named), after logging it.
pub async fn start<D, E>(config: impl Future<Output = Result<D, E>>) -> Result<D, Error>
where
    E: std::error::Error + Send + Sync + 'static,
{
    crate::logging::set_service(&std::env::var("SERVICE_NAME").unwrap_or_else(|_| service_of::<D>()));
    crate::logging::init();
    crate::metrics::init();
    config.await.map_err(|err| {
        tracing::error!(error = %err, "cold start failed");
        Error::from(err)
    })
}

/// Serves API Gateway HTTP API requests (payload 2.0) with `handler`.
///
/// # Errors
/// When the Lambda runtime cannot be reached.
pub async fn serve_http<F, Fut>(handler: F) -> Result<(), Error>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, ApiError>> + Send,
{
    lambda_http::run(service_fn(|request: Request| {
        let span = http_span(&request);
        let trace = {
            use lambda_http::RequestExt;
            request.lambda_context_ref().and_then(|context| context.xray_trace_id.clone())
        };
        let answer = span.in_scope(|| handler(request));
        async move {
            // Events the handler writes carry the invocation's trace (crate::trace).
            let result = crate::trace::scope(trace, answer).await;
            log_refusal(&result);
            let response = crate::http::respond(result);
            crate::metrics::flush();
            Ok::<_, Error>(response)
        }
        .instrument(span)
    }))
    .await
}

/// The invocation span of an HTTP request, its `correlation_id` the request's
/// `x-correlation-id` (when it is a plain token of at most 128 characters: letters, digits,
/// `-`, `_`, `.`, `:`), else API Gateway's request id (`apigw-requestid`).
fn http_span(request: &Request) -> tracing::Span {
    use lambda_http::RequestExt;
    let context = request.lambda_context_ref();
    let span = crate::logging::invocation_span(
        context.map_or("", |c| c.request_id.as_str()),
        context.and_then(|c| c.xray_trace_id.as_deref()),
    );
    let given = request
        .headers()
        .get("x-correlation-id")
        .and_then(|value| value.to_str().ok())
        .filter(|value| is_plain_token(value));
    #[allow(unreachable_patterns, clippy::match_wildcard_for_single_variants)]
    let gateway = match request.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => context.request_id.clone(),
        _ => None,
    };
    if let Some(correlation) = given.map(str::to_owned).or(gateway) {
        span.record("correlation_id", correlation.as_str());
    }
    span
}

fn is_plain_token(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 128
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Logs one line for a refused request (every 4xx and 5xx): `status`, `title` (the
/// status's reason phrase) and `reason` (the problem's detail; for a 400 on fields, their
/// names only). Never a body, a header or a token. 5xx at `error`, 4xx at `warn`.
fn log_refusal(result: &Result<Response<Body>, ApiError>) {
    let (status, reason) = match result {
        Ok(response) if response.status().as_u16() >= 400 => (response.status(), "answered by the handler".to_owned()),
        Ok(_) => return,
        Err(err) => (err.status(), refusal_reason(err)),
    };
    let title = status.canonical_reason().unwrap_or("Error");
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), title, reason, "request refused");
    } else {
        tracing::warn!(status = status.as_u16(), title, reason, "request refused");
    }
}

fn refusal_reason(err: &ApiError) -> String {
    match err {
        ApiError::Validation(fields) => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            format!("invalid fields: {}", names.join(", "))
        }
        ApiError::MalformedJson(_) => "the body is not valid JSON".to_owned(),
        ApiError::PayloadTooLarge => "the body is too large".to_owned(),
        ApiError::UnsupportedMediaType => "the body is not application/json".to_owned(),
        ApiError::Unauthorized => "no valid identity".to_owned(),
        ApiError::Forbidden(what)
        | ApiError::NotFound(what)
        | ApiError::Conflict(what)
        | ApiError::Unprocessable(what) => what.clone(),
        ApiError::Unavailable { detail, .. } => detail.clone(),
        // The cause is logged by `ApiError::into_response`, with its chain.
        ApiError::Internal(_) => "internal error".to_owned(),
    }
}

/// Serves SQS batches of domain events: `handler` runs once per event, in order (its
/// error, any type that converts into `anyhow::Error`, is logged with its cause chain); a
/// failed event (or a message that is no event) is reported alone in
/// `batchItemFailures` and retried, then dead-lettered.
///
/// # Errors
/// When the Lambda runtime cannot be reached.
pub async fn serve_events<F, Fut, E>(handler: F) -> Result<(), Error>
where
    F: Fn(EventEnvelope) -> Fut,
    Fut: Future<Output = Result<(), E>> + Send,
    E: Into<anyhow::Error>,
{
    let handler = |event| {
        let handled = handler(event);
        async move { handled.await.map_err(Into::into) }
    };
    lambda_runtime::run(service_fn(|batch: LambdaEvent<SqsEvent>| {
        let handler = &handler;
        let span = lambda_span(&batch.context);
        async move {
            let response = crate::inbox::for_each_event(batch.payload, handler).await;
            crate::metrics::flush();
            Ok::<SqsBatchResponse, Error>(response)
        }
        .instrument(span)
    }))
    .await
}

/// Serves a synchronous `Invoke` target: the payload is `Req` as JSON, the answer `Resp`.
/// A failure answers a function error of type `Retryable` whose message names no
/// internals; the cause chain is logged.
///
/// # Errors
/// When the Lambda runtime cannot be reached.
pub async fn serve_invoke<Req, Resp, E, F, Fut>(handler: F) -> Result<(), Error>
where
    Req: DeserializeOwned + Send,
    Resp: Serialize,
    E: std::fmt::Display,
    F: Fn(Req) -> Fut,
    Fut: Future<Output = Result<Resp, E>> + Send,
{
    lambda_runtime::run(service_fn(|request: LambdaEvent<Req>| {
        let span = lambda_span(&request.context);
        let trace = request.context.xray_trace_id.clone();
        let answer = span.in_scope(|| handler(request.payload));
        async move {
            let result = crate::trace::scope(trace, answer).await.map_err(retryable);
            crate::metrics::flush();
            result
        }
        .instrument(span)
    }))
    .await
}

/// Serves DynamoDB stream batches with `handler` (which reports its own partial failures).
///
/// # Errors
/// When the Lambda runtime cannot be reached.
pub async fn serve_stream<F, Fut>(handler: F) -> Result<(), Error>
where
    F: Fn(StreamBatch) -> Fut,
    Fut: Future<Output = DynamoDbEventResponse> + Send,
{
    lambda_runtime::run(service_fn(|batch: LambdaEvent<StreamBatch>| {
        let span = lambda_span(&batch.context);
        let answer = span.in_scope(|| handler(batch.payload));
        async move {
            let response = answer.await;
            crate::metrics::flush();
            Ok::<_, Error>(response)
        }
        .instrument(span)
    }))
    .await
}

/// Serves a function with two event sources: DynamoDB stream batches go to `on_batch`
/// (which reports its own partial failures), EventBridge scheduled events
/// (`"detail-type": "Scheduled Event"`, from a `Schedule`/`ScheduleV2` event source) go to
/// `on_schedule`, whose result is the invocation's answer (its error, a function error
/// whose cause is logged; the next scheduled run is the retry). Any other payload is a
/// function error naming what was expected.
///
/// # Errors
/// When the Lambda runtime cannot be reached.
pub async fn serve_stream_and_schedule<B, BFut, S, SFut, R, E>(on_batch: B, on_schedule: S) -> Result<(), Error>
where
    B: Fn(StreamBatch) -> BFut,
    BFut: Future<Output = DynamoDbEventResponse> + Send,
    S: Fn(ScheduledEvent) -> SFut,
    SFut: Future<Output = Result<R, E>> + Send,
    R: Serialize,
    E: std::fmt::Display,
{
    lambda_runtime::run(service_fn(|event: LambdaEvent<serde_json::Value>| {
        let span = lambda_span(&event.context);
        let answer = span.in_scope(|| match Invocation::of(event.payload) {
            Ok(Invocation::Batch(batch)) => Either::Batch(on_batch(batch)),
            Ok(Invocation::Schedule(scheduled)) => Either::Schedule(on_schedule(scheduled)),
            Err(err) => Either::Refused(err),
        });
        async move {
            let result = match answer {
                Either::Batch(answer) => Ok(serde_json::to_value(answer.await)?),
                Either::Schedule(answer) => match answer.await {
                    Ok(result) => Ok(serde_json::to_value(result)?),
                    Err(err) => {
                        tracing::error!(error = %err, "scheduled run failed");
                        Err(Error::from(format!("scheduled run failed: {err}")))
                    }
                },
                Either::Refused(err) => Err(Error::from(err)),
            };
            crate::metrics::flush();
            result
        }
        .instrument(span)
    }))
    .await
}

/// The invocation span of a non-HTTP invocation (its events carry their own
/// `correlation_id`, [`crate::inbox`], [`crate::relay`]).
fn lambda_span(context: &lambda_runtime::Context) -> tracing::Span {
    crate::logging::invocation_span(&context.request_id, context.xray_trace_id.as_deref())
}

/// The crate that defines `T`: the first segment of its type name.
fn service_of<T>() -> String {
    let name = std::any::type_name::<T>();
    name.split("::").next().unwrap_or(name).trim_start_matches('<').to_owned()
}

/// An EventBridge scheduled event (`source: aws.events`, `detail-type: Scheduled Event`).
pub type ScheduledEvent = aws_lambda_events::event::cloudwatch_events::CloudWatchEvent;

/// What a stream-and-schedule function was invoked with.
enum Invocation {
    Batch(StreamBatch),
    Schedule(ScheduledEvent),
}

impl Invocation {
    fn of(payload: serde_json::Value) -> Result<Self, String> {
        if payload.get("Records").is_some() {
            return serde_json::from_value(payload)
                .map(Self::Batch)
                .map_err(|err| format!("not a DynamoDB stream batch: {err}"));
        }
        if payload.get("detail-type").and_then(serde_json::Value::as_str) == Some("Scheduled Event") {
            return serde_json::from_value(payload)
                .map(Self::Schedule)
                .map_err(|err| format!("not an EventBridge scheduled event: {err}"));
        }
        Err("expected a DynamoDB stream batch or an EventBridge scheduled event".to_owned())
    }
}

enum Either<B, S> {
    Batch(B),
    Schedule(S),
    Refused(String),
}

/// The function error a synchronous target answers: type `Retryable`, no internal text.
pub fn retryable(cause: impl std::fmt::Display) -> Diagnostic {
    tracing::error!(error = %cause, "the request could not be answered");
    Diagnostic {
        error_type: "Retryable".to_owned(),
        error_message: "the request could not be answered now; retry shortly".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_and_schedule_function_tells_its_two_events_apart_and_refuses_others() {
        let batch = serde_json::json!({ "Records": [] });
        assert!(matches!(Invocation::of(batch), Ok(Invocation::Batch(_))));
        let scheduled = serde_json::json!({
            "version": "0", "id": "7f1c6a52-93a4-4c8e-b2f5-0d3e6a1b9c44", "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "123456789012", "time": "2026-11-21T05:31:00Z",
            "region": "ap-northeast-2", "resources": ["arn:aws:events:ap-northeast-2:123456789012:rule/sweep"],
            "detail": {}
        });
        match Invocation::of(scheduled) {
            Ok(Invocation::Schedule(event)) => assert_eq!(event.time.to_rfc3339(), "2026-11-21T05:31:00+00:00"),
            _ => panic!("a scheduled event is a schedule"),
        }
        assert!(Invocation::of(serde_json::json!({ "detail-type": "Scheduled Event" })).is_err());
        assert!(Invocation::of(serde_json::json!({ "Records": "no" })).is_err());
        assert!(Invocation::of(serde_json::json!({ "hello": 1 })).is_err());
    }

    #[test]
    fn every_refused_request_logs_one_line_with_its_status_and_reason_and_no_input() {
        let refused = [
            Err(ApiError::Validation(vec![crate::http::FieldError::new("items[0].quantity", "secret-ish 99")])),
            Err(ApiError::MalformedJson("expected value near 'Bearer abc'".into())),
            Err(ApiError::NotFound("order 0192 not found".into())),
            Err(ApiError::Internal(anyhow::anyhow!("table password=hunter2"))),
            Ok(Response::builder().status(409).body(Body::Text("{\"token\":\"t0k\"}".into())).unwrap()),
            Ok(Response::builder().status(201).body(Body::Empty).unwrap()),
        ];
        let lines = crate::logging::tests::capture(|| {
            for result in &refused {
                log_refusal(result);
            }
        });
        let refusals: Vec<_> = lines.iter().filter(|l| l["message"] == "request refused").collect();
        assert_eq!(refusals.len(), 5, "one line per refused request, none for a 201: {lines:?}");
        let seen: Vec<(u64, &str, &str)> = refusals
            .iter()
            .map(|l| (l["status"].as_u64().unwrap(), l["level"].as_str().unwrap(), l["reason"].as_str().unwrap()))
            .collect();
        assert_eq!(
            seen,
            [
                (400, "WARN", "invalid fields: items[0].quantity"),
                (400, "WARN", "the body is not valid JSON"),
                (404, "WARN", "order 0192 not found"),
                (500, "ERROR", "internal error"),
                (409, "WARN", "answered by the handler"),
            ]
        );
        assert_eq!(refusals[2]["title"], "Not Found");
        let text = serde_json::to_string(&lines).unwrap();
        for secret in ["secret-ish", "Bearer", "hunter2", "t0k"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }

    #[test]
    fn the_service_is_the_crate_of_the_configuration_type() {
        assert_eq!(service_of::<crate::relay::Relay>(), "platform");
        assert_eq!(service_of::<u32>(), "u32");
        assert!(is_plain_token("0192a-b_c.d:e"));
        assert!(!is_plain_token("a b") && !is_plain_token("") && !is_plain_token(&"x".repeat(129)));
        assert!(!is_plain_token("evil\n{\"level\":\"ERROR\"}"));
    }
}
