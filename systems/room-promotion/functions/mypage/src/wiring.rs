//! The configuration of the my page's functions, read once at cold start.

use platform::config::{self, ConfigError};

use crate::policies::MYPAGE_INBOX;
use crate::store::DynamoMyPages;

async fn dynamodb() -> aws_sdk_dynamodb::Client {
    platform::aws::dynamodb(&platform::aws::sdk_config().await)
}

/// `GetMyPageFunction` (`GET /mypage`): `MYPAGE_TABLE`.
#[derive(Debug, Clone)]
pub struct ReadMyPage<P = DynamoMyPages> {
    /// The pages, read only.
    pub pages: P,
}

impl ReadMyPage {
    /// Reads `MYPAGE_TABLE`.
    ///
    /// # Errors
    /// When it is missing.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { pages: DynamoMyPages::new(dynamodb().await, config::required("MYPAGE_TABLE")?) })
    }
}

/// `MyPageOnEventsFunction` (SQS `MyPageInboxQueue`): `MYPAGE_TABLE`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct MyPageOnEvents<P = DynamoMyPages> {
    /// The pages, with the consumer's inbox.
    pub pages: P,
}

impl MyPageOnEvents {
    /// Reads the configuration.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("MYPAGE_TABLE")?, config::outbox_retention()?);
        Ok(Self { pages: DynamoMyPages::new(dynamodb().await, table).with_inbox(MYPAGE_INBOX, retention) })
    }
}
