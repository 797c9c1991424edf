//! Each function's configuration, read once at cold start from the variables the template sets.

use platform::config::{self, ConfigError};

use crate::store::DynamoCustomers;

/// `RegisterCustomerFunction` and `GetCustomerFunction`: `CUSTOMER_TABLE`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct CustomerFunction<S = DynamoCustomers> {
    /// The customers, with the outbox.
    pub customers: S,
}

impl CustomerFunction {
    /// Reads the configuration and builds the client.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("CUSTOMER_TABLE")?, config::outbox_retention()?);
        let client = platform::aws::dynamodb(&platform::aws::sdk_config().await);
        Ok(Self { customers: DynamoCustomers::new(client, table, retention) })
    }
}
