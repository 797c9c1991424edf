//! Each function's configuration, read once at cold start from the variables the template
//! (`infra/template.yaml`) sets; a missing or malformed one fails the cold start with its name.

use platform::config::{self, ConfigError};

use crate::policies::ORDER_EVENTS_INBOX;
use crate::store::DynamoStore;

async fn dynamodb() -> aws_sdk_dynamodb::Client {
    platform::aws::dynamodb(&platform::aws::sdk_config().await)
}

/// `ListStoreOrdersFunction` (`GET /store/orders`): `STORE_TABLE`. Reads only.
#[derive(Debug, Clone)]
pub struct ListStoreOrders {
    /// The store orders.
    pub orders: DynamoStore,
}

impl ListStoreOrders {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("STORE_TABLE")?;
        Ok(Self { orders: DynamoStore::new(dynamodb().await, table) })
    }
}

/// `MoveStoreOrderFunction` and `CancelStoreOrderFunction`: `STORE_TABLE`,
/// `OUTBOX_RETENTION_DAYS` (they publish `CookingStarted`, `DeliveryDispatched`,
/// `StoreOrderCancelled`).
#[derive(Debug, Clone)]
pub struct ChangeStoreOrder {
    /// The store orders, with the outbox.
    pub orders: DynamoStore,
}

impl ChangeStoreOrder {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("STORE_TABLE")?;
        let retention = config::outbox_retention()?;
        Ok(Self { orders: DynamoStore::new(dynamodb().await, table).with_outbox(retention) })
    }
}

/// `StoreOnOrderEventsFunction`: `STORE_TABLE`, `OUTBOX_RETENTION_DAYS` (inbox items).
#[derive(Debug, Clone)]
pub struct StoreOnOrderEvents {
    /// The store orders, with the consumer's inbox.
    pub orders: DynamoStore,
}

impl StoreOnOrderEvents {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("STORE_TABLE")?;
        let retention = config::outbox_retention()?;
        Ok(Self { orders: DynamoStore::new(dynamodb().await, table).with_inbox(ORDER_EVENTS_INBOX, retention) })
    }
}
