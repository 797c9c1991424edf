//! Typed configuration per function, read once at cold start from the variables the
//! template sets (a missing or malformed one fails the cold start, named); clients are
//! built once here.

use platform::config::{self, ConfigError};
use platform::dynamo::Table;

use crate::domain::PointsRate;
use crate::store::{DynamoCustomers, DynamoLedger, DynamoRegistry};

/// The table `CUSTOMER_TABLE` through a client built from the environment.
async fn customer_table() -> Result<Table, ConfigError> {
    let name = config::required("CUSTOMER_TABLE")?;
    Ok(Table::new(platform::aws::dynamodb(&platform::aws::sdk_config().await), name))
}

/// `RegisterCustomerFunction` (`POST /customers`): `CUSTOMER_TABLE`, `WELCOME_POINTS`,
/// `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct RegisterCustomer {
    /// Where customers are registered.
    pub registry: DynamoRegistry,
    /// Points a new customer starts with (`WELCOME_POINTS`).
    pub welcome_points: u64,
}

impl RegisterCustomer {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let welcome_points = config::required_parsed("WELCOME_POINTS")?;
        let retention = config::outbox_retention()?;
        Ok(Self { registry: DynamoRegistry::new(customer_table().await?, retention), welcome_points })
    }
}

/// `GetCustomerFunction` (`GET /customers/{customerId}`): `CUSTOMER_TABLE`.
#[derive(Debug, Clone)]
pub struct GetCustomer {
    /// Where customers are read.
    pub customers: DynamoCustomers,
}

impl GetCustomer {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { customers: DynamoCustomers::new(customer_table().await?) })
    }
}

/// `CustomerOnOrderEventsFunction` (the `earn_points` policy): `CUSTOMER_TABLE`,
/// `POINTS_RATE_PERCENT`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct EarnPoints {
    /// The points ledger, with the policy's inbox and the outbox.
    pub ledger: DynamoLedger,
    /// Points an order earns per 100 won (`POINTS_RATE_PERCENT`).
    pub rate: PointsRate,
}

impl EarnPoints {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let rate = config::required_parsed::<PointsRate>("POINTS_RATE_PERCENT")?;
        let retention = config::outbox_retention()?;
        Ok(Self { ledger: DynamoLedger::new(customer_table().await?, retention), rate })
    }
}
