//! The one client for synchronous calls between contexts: a Lambda `Invoke`
//! (RequestResponse) with a timeout and a circuit breaker.
//!
//! - Each call is bounded by the timeout (milliseconds, from the template); a call that
//!   does not answer in time counts as a failure.
//! - After [`FAILURES_TO_OPEN`] consecutive failures (errors, function errors, timeouts)
//!   the breaker opens: calls fail at once with [`InvokeError::Open`], without touching
//!   the network, for [`OPEN_FOR`]; then one trial call is let through (half-open) and
//!   its success closes the breaker again.
//! - The breaker lives in the Lambda worker process (one per concurrent execution), so it
//!   protects that worker's callers; it is not shared across workers.
//!
//! Handlers map every [`InvokeError`] to `503` with `Retry-After` ([`InvokeError::into_api_error`]).

use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use failsafe::futures::CircuitBreaker as _;
use failsafe::{Config, StateMachine, backoff, failure_policy};
use serde::{Serialize, de::DeserializeOwned};

use crate::http::ApiError;

/// Consecutive failures that open the breaker.
pub const FAILURES_TO_OPEN: u32 = 5;
/// How long an open breaker refuses calls before it lets a trial call through.
pub const OPEN_FOR: Duration = Duration::from_secs(10);

type Breaker = StateMachine<failure_policy::ConsecutiveFailures<backoff::Constant>, ()>;

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

/// A synchronous caller of one function.
#[derive(Clone)]
pub struct SyncInvoker {
    lambda: aws_sdk_lambda::Client,
    function: String,
    timeout: Duration,
    breaker: Breaker,
}

impl std::fmt::Debug for SyncInvoker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncInvoker").field("function", &self.function).field("timeout", &self.timeout).finish()
    }
}

impl SyncInvoker {
    /// A caller of `function` (name or ARN) whose calls time out after `timeout`.
    pub fn new(lambda: aws_sdk_lambda::Client, function: impl Into<String>, timeout: Duration) -> Self {
        let policy = failure_policy::consecutive_failures(FAILURES_TO_OPEN, backoff::constant(OPEN_FOR));
        Self { lambda, function: function.into(), timeout, breaker: Config::new().failure_policy(policy).build() }
    }

    /// Invokes the function with `request` as JSON and reads its JSON answer.
    ///
    /// # Errors
    /// [`InvokeError::Open`] at once while the breaker is open; [`InvokeError::Timeout`];
    /// [`InvokeError::Failed`] for any other failure, including a function error.
    #[tracing::instrument(skip_all, fields(function = %self.function))]
    pub async fn call<Req: Serialize, Resp: DeserializeOwned>(&self, request: &Req) -> Result<Resp, InvokeError> {
        let payload = serde_json::to_vec(request).map_err(|err| self.failed(err.into()))?;
        let attempt = async {
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
        };
        match self.breaker.call(attempt).await {
            Ok(answer) => Ok(answer),
            Err(failsafe::Error::Rejected) => Err(InvokeError::Open(self.function.clone())),
            Err(failsafe::Error::Inner(err)) => Err(err),
        }
    }

    fn failed(&self, cause: anyhow::Error) -> InvokeError {
        InvokeError::Failed { function: self.function.clone(), cause }
    }
}

/// A Lambda client built from the shared configuration.
pub fn lambda(config: &aws_config::SdkConfig) -> aws_sdk_lambda::Client {
    aws_sdk_lambda::Client::new(config)
}
