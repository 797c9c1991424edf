//! Configuration of each function: one struct per Lambda, built once at cold start from
//! the environment variables the template sets (`infra/template.yaml`), holding the
//! adapters its handler uses. A missing or malformed variable fails the cold start with
//! its name.
//!
//! The structs are generic over the ports so that tests can hand the same handlers
//! in-memory fakes; the defaults are the real adapters.

use platform::breaker::Breaker;
use platform::config::{self, ConfigError};
use platform::invoke::SyncInvoker;

use crate::calls::{DeliveryCancel, ProductCheck};
use crate::policies::FOLLOW_DELIVERY_INBOX;
use crate::store::DynamoOrders;

/// `PlaceOrderFunction` (`POST /orders`).
#[derive(Debug, Clone)]
pub struct PlaceOrder<O = DynamoOrders, P = ProductCheck> {
    /// The orders (`ORDER_TABLE`; outbox items kept `OUTBOX_RETENTION_DAYS`).
    pub orders: O,
    /// The product context (`PRODUCT_CHECK_FUNCTION`, timeout `SYNC_CALL_TIMEOUT_MS`).
    pub pricing: P,
}

impl PlaceOrder {
    /// Reads `ORDER_TABLE`, `OUTBOX_RETENTION_DAYS`, `PRODUCT_CHECK_FUNCTION` and
    /// `SYNC_CALL_TIMEOUT_MS` (milliseconds).
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("ORDER_TABLE")?, config::outbox_retention()?);
        let (function, timeout) = (config::required("PRODUCT_CHECK_FUNCTION")?, config::sync_call_timeout()?);
        let aws = platform::aws::sdk_config().await;
        let dynamodb = platform::aws::dynamodb(&aws);
        let breaker = Breaker::new(dynamodb.clone(), &table, &function);
        Ok(Self {
            orders: DynamoOrders::writer(dynamodb, table, retention),
            pricing: ProductCheck(SyncInvoker::new(platform::invoke::lambda(&aws), function, timeout, breaker)),
        })
    }
}

/// `GetOrderFunction` (`GET /orders/{orderId}`).
#[derive(Debug, Clone)]
pub struct GetOrder<O = DynamoOrders> {
    /// The orders (`ORDER_TABLE`), read only.
    pub orders: O,
}

impl GetOrder {
    /// Reads `ORDER_TABLE`.
    ///
    /// # Errors
    /// When it is missing.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("ORDER_TABLE")?;
        let aws = platform::aws::sdk_config().await;
        Ok(Self { orders: DynamoOrders::reader(platform::aws::dynamodb(&aws), table) })
    }
}

/// `ListOrdersFunction` (`GET /orders?customerId=`).
#[derive(Debug, Clone)]
pub struct ListOrders<O = DynamoOrders> {
    /// The orders (`ORDER_TABLE`), read only.
    pub orders: O,
}

impl ListOrders {
    /// Reads `ORDER_TABLE`.
    ///
    /// # Errors
    /// When it is missing.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("ORDER_TABLE")?;
        let aws = platform::aws::sdk_config().await;
        Ok(Self { orders: DynamoOrders::reader(platform::aws::dynamodb(&aws), table) })
    }
}

/// `CancelOrderFunction` (`POST /orders/{orderId}/cancel`).
#[derive(Debug, Clone)]
pub struct CancelOrder<O = DynamoOrders, D = DeliveryCancel> {
    /// The orders (`ORDER_TABLE`; outbox items kept `OUTBOX_RETENTION_DAYS`).
    pub orders: O,
    /// The counter (`DELIVERY_CANCEL_FUNCTION`, timeout `SYNC_CALL_TIMEOUT_MS`).
    pub desk: D,
}

impl CancelOrder {
    /// Reads `ORDER_TABLE`, `OUTBOX_RETENTION_DAYS`, `DELIVERY_CANCEL_FUNCTION` and
    /// `SYNC_CALL_TIMEOUT_MS` (milliseconds).
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("ORDER_TABLE")?, config::outbox_retention()?);
        let (function, timeout) = (config::required("DELIVERY_CANCEL_FUNCTION")?, config::sync_call_timeout()?);
        let aws = platform::aws::sdk_config().await;
        let dynamodb = platform::aws::dynamodb(&aws);
        let breaker = Breaker::new(dynamodb.clone(), &table, &function);
        Ok(Self {
            orders: DynamoOrders::writer(dynamodb, table, retention),
            desk: DeliveryCancel(SyncInvoker::new(platform::invoke::lambda(&aws), function, timeout, breaker)),
        })
    }
}

/// `OrderOnDeliveryEventsFunction` (SQS `OrderInboxQueue`): [`crate::policies::follow_delivery`].
#[derive(Debug, Clone)]
pub struct FollowDelivery<O = DynamoOrders> {
    /// The orders (`ORDER_TABLE`; outbox and inbox items kept `OUTBOX_RETENTION_DAYS`).
    pub orders: O,
}

impl FollowDelivery {
    /// Reads `ORDER_TABLE` and `OUTBOX_RETENTION_DAYS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("ORDER_TABLE")?, config::outbox_retention()?);
        let aws = platform::aws::sdk_config().await;
        Ok(Self {
            orders: DynamoOrders::consumer(platform::aws::dynamodb(&aws), table, retention, FOLLOW_DELIVERY_INBOX),
        })
    }
}
