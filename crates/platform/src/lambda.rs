//! Serving a function: the few lines every `main` would otherwise repeat.
//!
//! A binary reads its typed configuration through [`start`] (which installs logging
//! first, so a missing variable is logged with its name before the cold start fails),
//! then hands its handler to one of:
//! - [`serve_http`] for API Gateway HTTP API routes: the handler answers
//!   `Result<Response, ApiError>`; errors become problem+json ([`crate::http::respond`]);
//! - [`serve_events`] for SQS consumers of domain events: one call per event, partial
//!   batch failures reported ([`crate::inbox::for_each_event`]);
//! - [`serve_invoke`] for synchronous `Invoke` targets: JSON in, JSON out; a failure is a
//!   function error of type `Retryable` with no internal text (the cause is logged);
//! - [`serve_stream`] for DynamoDB stream consumers (the outbox relay).
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
        async move { Ok::<_, Error>(crate::http::respond(answer.await)) }
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
        async move { Ok::<SqsBatchResponse, Error>(crate::inbox::for_each_event(batch.payload, handler).await) }
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
        async move { answer.await.map_err(retryable) }
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
        async move { Ok::<_, Error>(answer.await) }
    }))
    .await
}

/// The function error a synchronous target answers: type `Retryable`, no internal text.
pub fn retryable(cause: impl std::fmt::Display) -> Diagnostic {
    tracing::error!(error = %cause, "the request could not be answered");
    Diagnostic {
        error_type: "Retryable".to_owned(),
        error_message: "the request could not be answered now; retry shortly".to_owned(),
    }
}
