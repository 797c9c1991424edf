//! The configuration of the alarm functions, read once at cold start.

use platform::config::{self, ConfigError};

use crate::store::DynamoMessages;

/// `ListMessagesFunction` and `AlarmOnEventsFunction`: `ALARM_TABLE`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct AlarmFunction<M = DynamoMessages> {
    /// The messages, with the outbox and the consumer's inbox.
    pub messages: M,
}

impl AlarmFunction {
    /// Reads `ALARM_TABLE` and `OUTBOX_RETENTION_DAYS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("ALARM_TABLE")?, config::outbox_retention()?);
        let sdk = platform::aws::sdk_config().await;
        Ok(Self { messages: DynamoMessages::new(platform::aws::dynamodb(&sdk), table, retention) })
    }
}
