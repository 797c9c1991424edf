//! The function's configuration, read once at cold start from the variables the template
//! (`infra/template.yaml`) sets; a missing or malformed one fails the cold start with its name.

use platform::config::{self, ConfigError};

use crate::policies::PAYMENT_EVENTS_INBOX;
use crate::store::DynamoPromotions;

/// `PromotionOnPaymentEventsFunction`: `PROMOTION_TABLE`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct PromotionOnPaymentEvents {
    /// The promotions, with the outbox and the consumer's inbox.
    pub promotions: DynamoPromotions,
}

impl PromotionOnPaymentEvents {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("PROMOTION_TABLE")?;
        let retention = config::outbox_retention()?;
        let client = platform::aws::dynamodb(&platform::aws::sdk_config().await);
        Ok(Self { promotions: DynamoPromotions::new(client, table, PAYMENT_EVENTS_INBOX, retention) })
    }
}
