//! Configuration of each function: one struct per Lambda, built once at cold start from the
//! environment variables the template sets. Generic over the ports, so tests can hand the same
//! handlers in-memory fakes.

use platform::breaker::Breaker;
use platform::config::{self, ConfigError};
use platform::invoke::SyncInvoker;

use crate::calls::PayCall;
use crate::policies::FOLLOW_INBOX;
use crate::store::DynamoProposals;

/// `SubmitProposalFunction`, `WithdrawProposalFunction` and `GetProposalFunction`:
/// `PROPOSAL_TABLE`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct ProposalFunction<S = DynamoProposals> {
    /// The plan copies and proposals, with the outbox.
    pub store: S,
}

impl ProposalFunction {
    /// Reads `PROPOSAL_TABLE` and `OUTBOX_RETENTION_DAYS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("PROPOSAL_TABLE")?, config::outbox_retention()?);
        let client = platform::aws::dynamodb(&platform::aws::sdk_config().await);
        Ok(Self { store: DynamoProposals::new(client, table).with_outbox(retention) })
    }
}

/// `PayProposalFunction` (`POST /proposals/{proposalNo}/payment`).
#[derive(Debug, Clone)]
pub struct PayProposal<S = DynamoProposals, P = PayCall> {
    /// The proposals (`PROPOSAL_TABLE`), with the outbox.
    pub store: S,
    /// Payment (`PAY_FUNCTION`, timeout `SYNC_CALL_TIMEOUT_MS`, the breaker's item in
    /// `PROPOSAL_TABLE`).
    pub pay: P,
}

impl PayProposal {
    /// Reads `PROPOSAL_TABLE`, `OUTBOX_RETENTION_DAYS`, `PAY_FUNCTION` and `SYNC_CALL_TIMEOUT_MS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("PROPOSAL_TABLE")?, config::outbox_retention()?);
        let (function, timeout) = (config::required("PAY_FUNCTION")?, config::sync_call_timeout()?);
        let aws = platform::aws::sdk_config().await;
        let dynamodb = platform::aws::dynamodb(&aws);
        let breaker = Breaker::new(dynamodb.clone(), &table, &function);
        let invoker = SyncInvoker::new(platform::invoke::lambda(&aws), function, timeout, breaker);
        Ok(Self { store: DynamoProposals::new(dynamodb, table).with_outbox(retention), pay: PayCall(invoker) })
    }
}

/// `ProposalOnEventsFunction` (SQS `ProposalInboxQueue`).
#[derive(Debug, Clone)]
pub struct ProposalOnEvents<S = DynamoProposals> {
    /// The plan copies and proposals, with the outbox and the consumer's inbox.
    pub store: S,
}

impl ProposalOnEvents {
    /// Reads `PROPOSAL_TABLE` and `OUTBOX_RETENTION_DAYS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("PROPOSAL_TABLE")?, config::outbox_retention()?);
        let client = platform::aws::dynamodb(&platform::aws::sdk_config().await);
        Ok(Self {
            store: DynamoProposals::new(client, table).with_outbox(retention).with_inbox(FOLLOW_INBOX, retention),
        })
    }
}
