//! The configuration of the my page's functions, read once at cold start.

use platform::config::{self, ConfigError};

use crate::policies::MYPAGE_INBOX;
use crate::store::DynamoMyPages;

async fn dynamodb() -> aws_sdk_dynamodb::Client {
    platform::aws::dynamodb(&platform::aws::sdk_config().await)
}

/// `GetMyPagesFunction`: `MYPAGE_TABLE`.
#[derive(Debug, Clone)]
pub struct ReadMyPages<P = DynamoMyPages> {
    /// The rows.
    pub pages: P,
}

impl ReadMyPages {
    /// Reads `MYPAGE_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { pages: DynamoMyPages::new(dynamodb().await, config::required("MYPAGE_TABLE")?) })
    }
}

/// `MyPageOnEventsFunction` (SQS `MyPageInboxQueue`): `MYPAGE_TABLE`, `OUTBOX_RETENTION_DAYS`
/// (how long inbox items are kept).
#[derive(Debug, Clone)]
pub struct MyPageOnEvents<P = DynamoMyPages> {
    /// The rows, with the consumer's inbox.
    pub pages: P,
}

impl MyPageOnEvents {
    /// Reads `MYPAGE_TABLE` and `OUTBOX_RETENTION_DAYS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("MYPAGE_TABLE")?, config::outbox_retention()?);
        Ok(Self { pages: DynamoMyPages::new(dynamodb().await, table).with_inbox(MYPAGE_INBOX, retention) })
    }
}
