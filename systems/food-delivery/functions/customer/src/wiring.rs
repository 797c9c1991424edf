//! The configuration of the customer function, read once at cold start from the variables
//! `infra/template.yaml` sets.

use platform::config::{self, ConfigError};

use crate::store::DynamoMessages;

/// `CustomerOnEventsFunction`: `CUSTOMER_TABLE`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct CustomerOnEvents {
    /// Inbox and outbox in the customer table.
    pub messages: DynamoMessages,
}

impl CustomerOnEvents {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("CUSTOMER_TABLE")?;
        let retention = config::outbox_retention()?;
        let sdk = platform::aws::sdk_config().await;
        Ok(Self { messages: DynamoMessages::new(platform::aws::dynamodb(&sdk), table, retention) })
    }
}
