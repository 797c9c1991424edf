//! Configuration of each function: one struct per Lambda, built once at cold start from the
//! environment variables the template sets (`infra/template.yaml`). A missing or malformed
//! variable fails the cold start with its name. Generic over the ports, so tests can hand the
//! same handlers in-memory fakes.

use platform::breaker::Breaker;
use platform::config::{self, ConfigError};
use platform::invoke::SyncInvoker;

use crate::calls::PayCall;
use crate::policies::FOLLOW_INBOX;
use crate::store::DynamoReservations;

async fn dynamodb() -> aws_sdk_dynamodb::Client {
    platform::aws::dynamodb(&platform::aws::sdk_config().await)
}

/// `PlaceReservationFunction`, `CancelReservationFunction` and `GetReservationFunction`:
/// `RESERVATION_TABLE`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct ReservationFunction<S = DynamoReservations> {
    /// The room copies and the reservations, with the outbox.
    pub store: S,
}

impl ReservationFunction {
    /// Reads `RESERVATION_TABLE` and `OUTBOX_RETENTION_DAYS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("RESERVATION_TABLE")?, config::outbox_retention()?);
        Ok(Self { store: DynamoReservations::new(dynamodb().await, table).with_outbox(retention) })
    }
}

/// `PayReservationFunction` (`POST /reservations/{id}/pay`).
#[derive(Debug, Clone)]
pub struct PayReservation<S = DynamoReservations, P = PayCall> {
    /// The reservations (`RESERVATION_TABLE`).
    pub store: S,
    /// Payment (`PAY_FUNCTION`, timeout `SYNC_CALL_TIMEOUT_MS`, the breaker's item in
    /// `RESERVATION_TABLE`).
    pub pay: P,
}

impl PayReservation {
    /// Reads `RESERVATION_TABLE`, `OUTBOX_RETENTION_DAYS`, `PAY_FUNCTION` and
    /// `SYNC_CALL_TIMEOUT_MS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("RESERVATION_TABLE")?, config::outbox_retention()?);
        let (function, timeout) = (config::required("PAY_FUNCTION")?, config::sync_call_timeout()?);
        let aws = platform::aws::sdk_config().await;
        let dynamodb = platform::aws::dynamodb(&aws);
        let breaker = Breaker::new(dynamodb.clone(), &table, &function);
        let invoker = SyncInvoker::new(platform::invoke::lambda(&aws), function, timeout, breaker);
        Ok(Self { store: DynamoReservations::new(dynamodb, table).with_outbox(retention), pay: PayCall(invoker) })
    }
}

/// `ReservationOnEventsFunction` (SQS `ReservationInboxQueue`).
#[derive(Debug, Clone)]
pub struct ReservationOnEvents<S = DynamoReservations> {
    /// The room copies and reservations, with the consumer's inbox.
    pub store: S,
}

impl ReservationOnEvents {
    /// Reads `RESERVATION_TABLE` and `OUTBOX_RETENTION_DAYS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("RESERVATION_TABLE")?, config::outbox_retention()?);
        let store =
            DynamoReservations::new(dynamodb().await, table).with_outbox(retention).with_inbox(FOLLOW_INBOX, retention);
        Ok(Self { store })
    }
}
