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
//! ```no_run
//! # async fn handle(_: &(), _: lambda_http::Request) -> Result<lambda_http::Response<lambda_http::Body>, platform::http::ApiError> { todo!() }
//! # async fn from_env() -> Result<(), platform::config::ConfigError> { Ok(()) }
//! #[tokio::main]
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

use crate::envelope::EventEnvelope;
use crate::http::ApiError;

/// The error type of a `main`.
pub type Error = lambda_runtime::Error;

/// Installs logging, then builds the function's dependencies from its configuration.
///
/// # Errors
/// The configuration's error (a missing or malformed variable, named), after logging it.
pub async fn start<D, E>(config: impl Future<Output = Result<D, E>>) -> Result<D, Error>
where
    E: std::error::Error + Send + Sync + 'static,
{
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
        let answer = handler(request);
        async move {
            let response = crate::http::respond(answer.await);
            crate::metrics::flush();
            Ok::<_, Error>(response)
        }
    }))
    .await
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
        async move {
            let response = crate::inbox::for_each_event(batch.payload, handler).await;
            crate::metrics::flush();
            Ok::<SqsBatchResponse, Error>(response)
        }
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
        let answer = handler(request.payload);
        async move {
            let result = answer.await.map_err(retryable);
            crate::metrics::flush();
            result
        }
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
        let answer = handler(batch.payload);
        async move {
            let response = answer.await;
            crate::metrics::flush();
            Ok::<_, Error>(response)
        }
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
        let answer = match Invocation::of(event.payload) {
            Ok(Invocation::Batch(batch)) => Either::Batch(on_batch(batch)),
            Ok(Invocation::Schedule(scheduled)) => Either::Schedule(on_schedule(scheduled)),
            Err(err) => Either::Refused(err),
        };
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
    }))
    .await
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
}
