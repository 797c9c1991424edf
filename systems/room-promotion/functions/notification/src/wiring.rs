//! The configuration of the notification function, read once at cold start.

use platform::config::{self, ConfigError};

use crate::store::DynamoNotices;

/// `NotificationOnEventsFunction`: `NOTIFICATION_TABLE`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct NotificationOnEvents {
    /// Inbox and outbox in the notification table.
    pub notices: DynamoNotices,
}

impl NotificationOnEvents {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("NOTIFICATION_TABLE")?;
        let retention = config::outbox_retention()?;
        let sdk = platform::aws::sdk_config().await;
        Ok(Self { notices: DynamoNotices::new(platform::aws::dynamodb(&sdk), table, retention) })
    }
}
