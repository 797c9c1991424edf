//! Configuration of each function: one struct per Lambda, built once at cold start from the
//! environment variables the template sets (`infra/template.yaml`), holding the adapters its
//! handler uses. A missing or malformed variable fails the cold start with its name.
//!
//! The structs are generic over the ports so that tests can hand the same handlers in-memory
//! fakes; the defaults are the real adapters.

use chrono::TimeDelta;
use platform::breaker::Breaker;
use platform::config::{self, ConfigError};
use platform::invoke::SyncInvoker;

use crate::calls::{PayCall, StoreCancel};
use crate::policies::FOLLOW_INBOX;
use crate::store::DynamoApp;

async fn dynamodb() -> aws_sdk_dynamodb::Client {
    platform::aws::dynamodb(&platform::aws::sdk_config().await)
}

/// `GetMenuFunction`, `AddMenuItemFunction` and `ChangeMenuItemFunction` (`/menu`):
/// `ORDER_TABLE`.
#[derive(Debug, Clone)]
pub struct MenuFunction<M = DynamoApp> {
    /// The menu.
    pub menu: M,
}

impl MenuFunction {
    /// Reads `ORDER_TABLE`.
    ///
    /// # Errors
    /// When it is missing.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("ORDER_TABLE")?;
        Ok(Self { menu: DynamoApp::new(dynamodb().await, table) })
    }
}

/// `PlaceOrderFunction` (`POST /orders`).
#[derive(Debug, Clone)]
pub struct PlaceOrder<A = DynamoApp, P = PayCall> {
    /// The menu and the orders (`ORDER_TABLE`; outbox items kept `OUTBOX_RETENTION_DAYS`).
    pub app: A,
    /// Pay (`PAY_FUNCTION`, timeout `SYNC_CALL_TIMEOUT_MS`, the breaker's item in
    /// `ORDER_TABLE`).
    pub pay: P,
}

impl PlaceOrder {
    /// Reads `ORDER_TABLE`, `OUTBOX_RETENTION_DAYS`, `PAY_FUNCTION` and
    /// `SYNC_CALL_TIMEOUT_MS` (milliseconds).
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("ORDER_TABLE")?, config::outbox_retention()?);
        let (function, timeout) = (config::required("PAY_FUNCTION")?, config::sync_call_timeout()?);
        let aws = platform::aws::sdk_config().await;
        let dynamodb = platform::aws::dynamodb(&aws);
        let breaker = Breaker::new(dynamodb.clone(), &table, &function);
        let invoker = SyncInvoker::new(platform::invoke::lambda(&aws), function, timeout, breaker.clone());
        Ok(Self { app: DynamoApp::new(dynamodb, table).with_outbox(retention), pay: PayCall { invoker, breaker } })
    }
}

/// `GetOrderFunction` (`GET /orders/{orderId}`) and `ListOrdersFunction` (`GET /orders`).
#[derive(Debug, Clone)]
pub struct ReadOrders<O = DynamoApp> {
    /// The orders (`ORDER_TABLE`), read only.
    pub orders: O,
}

impl ReadOrders {
    /// Reads `ORDER_TABLE`.
    ///
    /// # Errors
    /// When it is missing.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("ORDER_TABLE")?;
        Ok(Self { orders: DynamoApp::new(dynamodb().await, table) })
    }
}

/// `CancelOrderFunction` (`POST /orders/{orderId}/cancel`).
#[derive(Debug, Clone)]
pub struct CancelOrder<O = DynamoApp, D = StoreCancel> {
    /// The orders (`ORDER_TABLE`; outbox items kept `OUTBOX_RETENTION_DAYS`).
    pub orders: O,
    /// The store (`STORE_CANCEL_FUNCTION`, timeout `SYNC_CALL_TIMEOUT_MS`, the breaker's item
    /// in `ORDER_TABLE`).
    pub desk: D,
}

impl CancelOrder {
    /// Reads `ORDER_TABLE`, `OUTBOX_RETENTION_DAYS`, `STORE_CANCEL_FUNCTION` and
    /// `SYNC_CALL_TIMEOUT_MS` (milliseconds).
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("ORDER_TABLE")?, config::outbox_retention()?);
        let (function, timeout) = (config::required("STORE_CANCEL_FUNCTION")?, config::sync_call_timeout()?);
        let aws = platform::aws::sdk_config().await;
        let dynamodb = platform::aws::dynamodb(&aws);
        let breaker = Breaker::new(dynamodb.clone(), &table, &function);
        Ok(Self {
            orders: DynamoApp::new(dynamodb, table).with_outbox(retention),
            desk: StoreCancel(SyncInvoker::new(platform::invoke::lambda(&aws), function, timeout, breaker)),
        })
    }
}

/// `OrderOnEventsFunction` (SQS `OrderInboxQueue`): [`crate::policies::follow_events`].
#[derive(Debug, Clone)]
pub struct OrderOnEvents<O = DynamoApp> {
    /// The orders (`ORDER_TABLE`; outbox and inbox items kept `OUTBOX_RETENTION_DAYS`).
    pub orders: O,
    /// The pay timeout (`SYNC_CALL_TIMEOUT_MS`): an order still `PaymentPending` longer than
    /// this was left by a crash.
    pub pay_timeout: TimeDelta,
}

impl OrderOnEvents {
    /// Reads `ORDER_TABLE`, `OUTBOX_RETENTION_DAYS` and `SYNC_CALL_TIMEOUT_MS`.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let (table, retention) = (config::required("ORDER_TABLE")?, config::outbox_retention()?);
        let timeout = config::sync_call_timeout()?;
        let orders = DynamoApp::new(dynamodb().await, table).with_outbox(retention).with_inbox(FOLLOW_INBOX, retention);
        Ok(Self { orders, pay_timeout: TimeDelta::from_std(timeout).unwrap_or(TimeDelta::MAX) })
    }
}
