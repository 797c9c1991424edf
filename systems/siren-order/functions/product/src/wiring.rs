//! Typed configuration per function, read once at cold start from the variables the
//! template sets (a missing or malformed one fails the cold start, named); clients are
//! built once here. Read-only functions need no outbox retention.

use platform::config::{self, ConfigError};
use platform::dynamo::Table;

use crate::store::{DynamoProductWriter, DynamoProducts};

/// The table `PRODUCT_TABLE` through a client built from the environment.
async fn product_table() -> Result<Table, ConfigError> {
    let name = config::required("PRODUCT_TABLE")?;
    Ok(Table::new(platform::aws::dynamodb(&platform::aws::sdk_config().await), name))
}

/// Products for a function that only reads: `PRODUCT_TABLE`.
async fn reader() -> Result<DynamoProducts, ConfigError> {
    Ok(DynamoProducts::new(product_table().await?))
}

/// Products for a function that writes: `PRODUCT_TABLE`, `OUTBOX_RETENTION_DAYS`.
async fn writer() -> Result<DynamoProductWriter, ConfigError> {
    let retention = config::outbox_retention()?;
    Ok(DynamoProductWriter::new(product_table().await?, retention))
}

/// `ListProductsFunction` (`GET /products`): `PRODUCT_TABLE`.
#[derive(Debug, Clone)]
pub struct ListProducts {
    /// Where the menu is read.
    pub products: DynamoProducts,
}

impl ListProducts {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { products: reader().await? })
    }
}

/// `GetProductFunction` (`GET /products/{productId}`): `PRODUCT_TABLE`.
#[derive(Debug, Clone)]
pub struct GetProduct {
    /// Where products are read.
    pub products: DynamoProducts,
}

impl GetProduct {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { products: reader().await? })
    }
}

/// `CheckProductsFunction` (the order context's synchronous check): `PRODUCT_TABLE`.
#[derive(Debug, Clone)]
pub struct CheckProducts {
    /// Where products are read.
    pub products: DynamoProducts,
}

impl CheckProducts {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { products: reader().await? })
    }
}

/// `RegisterProductFunction` (`POST /products`): `PRODUCT_TABLE`, `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct RegisterProduct {
    /// Where products are added.
    pub products: DynamoProductWriter,
}

impl RegisterProduct {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { products: writer().await? })
    }
}

/// `ChangeProductFunction` (`PATCH /products/{productId}`): `PRODUCT_TABLE`,
/// `OUTBOX_RETENTION_DAYS`.
#[derive(Debug, Clone)]
pub struct ChangeProduct {
    /// Where products are read and changed.
    pub products: DynamoProductWriter,
}

impl ChangeProduct {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { products: writer().await? })
    }
}
