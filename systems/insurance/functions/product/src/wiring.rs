//! Each function's configuration, read once at cold start from the variables the template sets.

use platform::config::{self, ConfigError};

use crate::policies::DESCRIPTION_INBOX;
use crate::store::DynamoProducts;

/// Every product function (`PRODUCT_TABLE`; the description consumer also
/// `OUTBOX_RETENTION_DAYS`).
#[derive(Debug, Clone)]
pub struct ProductFunction<S = DynamoProducts> {
    /// The products.
    pub products: S,
}

impl ProductFunction {
    /// Reads `PRODUCT_TABLE` (the handlers and the quote: no outbox).
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("PRODUCT_TABLE")?;
        let client = platform::aws::dynamodb(&platform::aws::sdk_config().await);
        Ok(Self { products: DynamoProducts::new(client, table) })
    }

    /// Reads `PRODUCT_TABLE` and `OUTBOX_RETENTION_DAYS` (the description consumer).
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn consumer_from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("PRODUCT_TABLE")?, config::outbox_retention()?);
        let client = platform::aws::dynamodb(&platform::aws::sdk_config().await);
        Ok(Self { products: DynamoProducts::new(client, table).with_inbox(DESCRIPTION_INBOX, retention) })
    }
}
