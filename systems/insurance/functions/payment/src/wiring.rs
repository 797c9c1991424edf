//! Each function's configuration, read once at cold start from the variables the template
//! (`infra/template.yaml`) sets; a missing or malformed one fails the cold start with its name.

use platform::config::{self, ConfigError};

use crate::policies::PROPOSAL_EVENTS_INBOX;
use crate::store::DynamoPayments;

/// `PayFunction` (the synchronous pay) and `PaymentOnProposalEventsFunction` (cancels):
/// `PAYMENT_TABLE`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct PayFunction {
    /// The payment history, with the outbox (and the consumer's inbox).
    pub payments: DynamoPayments,
}

impl PayFunction {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("PAYMENT_TABLE")?;
        let retention = config::outbox_retention()?;
        let client = platform::aws::dynamodb(&platform::aws::sdk_config().await);
        let payments = DynamoPayments::new(client, table, retention).with_inbox(PROPOSAL_EVENTS_INBOX, retention);
        Ok(Self { payments })
    }
}
