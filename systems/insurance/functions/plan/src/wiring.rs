//! Configuration of each function: one struct per Lambda, built once at cold start from the
//! environment variables the template sets. Generic over the ports, so tests can hand the same
//! handlers in-memory fakes.

use platform::breaker::Breaker;
use platform::config::{self, ConfigError};
use platform::invoke::SyncInvoker;

use crate::calls::QuoteCall;
use crate::policies::FOLLOW_INBOX;
use crate::store::DynamoPlans;

/// `RequestDescriptionFunction` and `GetPlanFunction`: `PLAN_TABLE`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct PlanFunction<S = DynamoPlans> {
    /// The customer copies and plans, with the outbox.
    pub store: S,
}

impl PlanFunction {
    /// Reads `PLAN_TABLE` and `OUTBOX_RETENTION_DAYS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("PLAN_TABLE")?, config::outbox_retention()?);
        let client = platform::aws::dynamodb(&platform::aws::sdk_config().await);
        Ok(Self { store: DynamoPlans::new(client, table).with_outbox(retention) })
    }
}

/// `QuotePlanFunction`, `SavePlanFunction` and `ChangePlanFunction`: they call product.
#[derive(Debug, Clone)]
pub struct QuotingFunction<S = DynamoPlans, Q = QuoteCall> {
    /// The customer copies and plans (`PLAN_TABLE`), with the outbox.
    pub store: S,
    /// Product's quote (`QUOTE_FUNCTION`, timeout `SYNC_CALL_TIMEOUT_MS`, the breaker's item in
    /// `PLAN_TABLE`).
    pub product: Q,
}

impl QuotingFunction {
    /// Reads `PLAN_TABLE`, `OUTBOX_RETENTION_DAYS`, `QUOTE_FUNCTION` and `SYNC_CALL_TIMEOUT_MS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("PLAN_TABLE")?, config::outbox_retention()?);
        let (function, timeout) = (config::required("QUOTE_FUNCTION")?, config::sync_call_timeout()?);
        let aws = platform::aws::sdk_config().await;
        let dynamodb = platform::aws::dynamodb(&aws);
        let breaker = Breaker::new(dynamodb.clone(), &table, &function);
        let invoker = SyncInvoker::new(platform::invoke::lambda(&aws), function, timeout, breaker);
        Ok(Self { store: DynamoPlans::new(dynamodb, table).with_outbox(retention), product: QuoteCall(invoker) })
    }
}

/// `PlanOnEventsFunction` (SQS `PlanInboxQueue`).
#[derive(Debug, Clone)]
pub struct PlanOnEvents<S = DynamoPlans> {
    /// The customer copies and plans, with the consumer's inbox.
    pub store: S,
}

impl PlanOnEvents {
    /// Reads `PLAN_TABLE` and `OUTBOX_RETENTION_DAYS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("PLAN_TABLE")?, config::outbox_retention()?);
        let client = platform::aws::dynamodb(&platform::aws::sdk_config().await);
        Ok(Self { store: DynamoPlans::new(client, table).with_inbox(FOLLOW_INBOX, retention) })
    }
}
