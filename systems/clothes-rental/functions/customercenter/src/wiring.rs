//! Each function's configuration, read once at cold start from the variables the template
//! sets; a missing or malformed one fails the cold start with its name.

use platform::config::{self, ConfigError};

use crate::store::DynamoMyPages;

/// The inbox name of the my-page consumer (part of its inbox items' keys: keep it).
pub const MYPAGE_INBOX: &str = "mypage-on-events";

/// `ListMyPagesFunction` (`GET /mypages`): `MYPAGE_TABLE`. Reads only.
#[derive(Debug, Clone)]
pub struct ListMyPages {
    /// The rows.
    pub pages: DynamoMyPages,
}

impl ListMyPages {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("MYPAGE_TABLE")?;
        let aws = platform::aws::sdk_config().await;
        Ok(Self { pages: DynamoMyPages::reader(platform::aws::dynamodb(&aws), table) })
    }
}

/// `MyPageOnEventsFunction` (SQS `MyPageInboxQueue`): `MYPAGE_TABLE`, `OUTBOX_RETENTION_DAYS`
/// (how long inbox items are kept).
#[derive(Debug, Clone)]
pub struct MyPageOnEvents {
    /// The rows, with the consumer's inbox.
    pub pages: DynamoMyPages,
}

impl MyPageOnEvents {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("MYPAGE_TABLE")?;
        let retention = config::outbox_retention()?;
        let aws = platform::aws::sdk_config().await;
        Ok(Self { pages: DynamoMyPages::consumer(platform::aws::dynamodb(&aws), table, MYPAGE_INBOX, retention) })
    }
}
