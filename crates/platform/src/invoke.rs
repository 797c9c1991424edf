//! The one client for synchronous calls between contexts: a Lambda `Invoke`
//! (RequestResponse) with a timeout and a circuit breaker shared by every worker.
//!
//! - Each call is bounded by the timeout (milliseconds, from the template); a call that
//!   does not answer in time counts as a failure.
//! - The breaker ([`crate::breaker`]) is one DynamoDB item per dependency in the caller's
//!   own table, shared by every worker of every function that calls that dependency:
//!   after [`FAILURES_TO_OPEN`] consecutive failures (errors, function errors, timeouts,
//!   unreadable answers), counted by all workers together, every caller is refused at once
//!   with [`InvokeError::Open`], without touching the network, for [`OPEN_FOR`]; then one
//!   probe call, on one worker, is let through (half-open): its success closes the breaker
//!   for everyone, its failure opens it again.
//!
//! Handlers map every [`InvokeError`] to `503` with `Retry-After` ([`InvokeError::into_api_error`]).

use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use serde::{Serialize, de::DeserializeOwned};

use crate::breaker::Breaker;
pub use crate::breaker::{FAILURES_TO_OPEN, OPEN_FOR};
use crate::http::ApiError;

/// Why a synchronous call gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// The breaker is open: the call was refused at once.
    #[error("the circuit breaker for {0} is open")]
    Open(String),
    /// No answer within the timeout.
    #[error("{function} did not answer within {timeout_ms} ms")]
    Timeout {
        /// The function called.
        function: String,
        /// The timeout, in milliseconds.
        timeout_ms: u128,
    },
    /// The call failed (transport, throttling, a function error, an unreadable answer).
    #[error("calling {function} failed")]
    Failed {
        /// The function called.
        function: String,
        /// What went wrong.
        #[source]
        cause: anyhow::Error,
    },
}

impl InvokeError {
    /// The `503 Service Unavailable` a handler answers, naming the `capability` that is
    /// unavailable (e.g. "the catalogue") and never the internals.
    pub fn into_api_error(self, capability: &str) -> ApiError {
        let retry_after_seconds = match &self {
            Self::Open(_) => u32::try_from(OPEN_FOR.as_secs()).unwrap_or(10),
            Self::Timeout { .. } | Self::Failed { .. } => 1,
        };
        tracing::warn!(error = %self, cause = ?std::error::Error::source(&self), "synchronous call failed");
        ApiError::Unavailable {
            detail: format!("{capability} cannot answer right now; try again shortly"),
            retry_after_seconds,
        }
    }
}

/// A synchronous caller of one function, behind that function's shared breaker.
#[derive(Clone)]
pub struct SyncInvoker {
    lambda: aws_sdk_lambda::Client,
    function: String,
    timeout: Duration,
    breaker: Breaker,
}

impl std::fmt::Debug for SyncInvoker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncInvoker")
            .field("function", &self.function)
            .field("timeout", &self.timeout)
            .field("breaker", &self.breaker.dependency())
            .finish()
    }
}

impl SyncInvoker {
    /// A caller of `function` (name or ARN) whose calls time out after `timeout`, behind
    /// `breaker` (usually `Breaker::new(dynamodb, <the caller's table>, function)`: every
    /// worker that names the same dependency in the same table shares it).
    pub fn new(
        lambda: aws_sdk_lambda::Client,
        function: impl Into<String>,
        timeout: Duration,
        breaker: Breaker,
    ) -> Self {
        Self { lambda, function: function.into(), timeout, breaker }
    }

    /// Invokes the function with `request` as JSON and reads its JSON answer.
    ///
    /// # Errors
    /// [`InvokeError::Open`] at once while the breaker is open; [`InvokeError::Timeout`];
    /// [`InvokeError::Failed`] for any other failure, including a function error.
    #[tracing::instrument(skip_all, fields(function = %self.function))]
    pub async fn call<Req: Serialize, Resp: DeserializeOwned>(&self, request: &Req) -> Result<Resp, InvokeError> {
        let payload = serde_json::to_vec(request).map_err(|err| self.failed(err.into()))?;
        let permit = self.breaker.admit(self.timeout).await.map_err(|_| InvokeError::Open(self.function.clone()))?;
        let answer = self.attempt(payload).await;
        match &answer {
            Ok(_) => self.breaker.succeeded(permit).await,
            Err(_) => self.breaker.failed(permit).await,
        }
        answer
    }

    /// One call, bounded by the timeout, its answer read as `Resp`.
    async fn attempt<Resp: DeserializeOwned>(&self, payload: Vec<u8>) -> Result<Resp, InvokeError> {
        let invoked = tokio::time::timeout(
            self.timeout,
            self.lambda.invoke().function_name(&self.function).payload(Blob::new(payload)).send(),
        )
        .await;
        let output = match invoked {
            Err(_) => {
                return Err(InvokeError::Timeout {
                    function: self.function.clone(),
                    timeout_ms: self.timeout.as_millis(),
                });
            }
            Ok(Err(err)) => return Err(self.failed(anyhow::Error::new(err.into_service_error()))),
            Ok(Ok(output)) => output,
        };
        let body = output.payload().map(|b| b.as_ref().to_vec()).unwrap_or_default();
        if let Some(kind) = output.function_error() {
            let message = String::from_utf8_lossy(&body).into_owned();
            return Err(self.failed(anyhow::anyhow!("function error {kind}: {message}")));
        }
        serde_json::from_slice::<Resp>(&body).map_err(|err| self.failed(err.into()))
    }

    fn failed(&self, cause: anyhow::Error) -> InvokeError {
        InvokeError::Failed { function: self.function.clone(), cause }
    }
}

/// A Lambda client built from the shared configuration.
pub fn lambda(config: &aws_config::SdkConfig) -> aws_sdk_lambda::Client {
    aws_sdk_lambda::Client::new(config)
}
