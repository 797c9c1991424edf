//! Each function's configuration, read once at cold start from the variables the template
//! (`infra/template.yaml`) sets; a missing or malformed one fails the cold start with its name.

use platform::config::{self, ConfigError};

use crate::store::DynamoDeliveries;

/// The inbox name of the order-event consumer (part of its inbox items' keys: keep it).
pub const ORDER_EVENTS_INBOX: &str = "delivery-on-order-events";

async fn dynamodb() -> aws_sdk_dynamodb::Client {
    platform::aws::dynamodb(&platform::aws::sdk_config().await)
}

/// `ListDeliveriesFunction` (`GET /deliveries`): `DELIVERY_TABLE`. Reads only.
#[derive(Debug, Clone)]
pub struct ListDeliveries {
    /// The deliveries.
    pub deliveries: DynamoDeliveries,
}

impl ListDeliveries {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("DELIVERY_TABLE")?;
        Ok(Self { deliveries: DynamoDeliveries::new(dynamodb().await, table) })
    }
}

/// `ChangeDeliveryFunction` (`PATCH /deliveries/{deliveryId}`): `DELIVERY_TABLE`,
/// `OUTBOX_RETENTION_DAYS` (it publishes `DeliveryStarted` / `DeliveryCompleted`).
#[derive(Debug, Clone)]
pub struct ChangeDelivery {
    /// The deliveries, with the outbox.
    pub deliveries: DynamoDeliveries,
}

impl ChangeDelivery {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("DELIVERY_TABLE")?;
        let retention = config::outbox_retention()?;
        Ok(Self { deliveries: DynamoDeliveries::new(dynamodb().await, table).with_outbox(retention) })
    }
}

/// `CancelDeliveryFunction` (the order context's synchronous cancel): `DELIVERY_TABLE`,
/// `OUTBOX_RETENTION_DAYS` (a cancellation publishes `DeliveryCancelled`).
#[derive(Debug, Clone)]
pub struct CancelDelivery {
    /// The deliveries and the counter's records, with the outbox.
    pub deliveries: DynamoDeliveries,
}

impl CancelDelivery {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("DELIVERY_TABLE")?;
        let retention = config::outbox_retention()?;
        Ok(Self { deliveries: DynamoDeliveries::new(dynamodb().await, table).with_outbox(retention) })
    }
}

/// `DeliveryOnOrderEventsFunction` (the order-event policies): `DELIVERY_TABLE`,
/// `OUTBOX_RETENTION_DAYS` (outbox and inbox items), `SHOP_TIME_ZONE` (IANA name such as
/// `Asia/Seoul`: the business day of a waiting number).
#[derive(Debug, Clone)]
pub struct DeliveryOnOrderEvents {
    /// The deliveries, with the outbox and the consumer's inbox.
    pub deliveries: DynamoDeliveries,
    /// The shop's time zone.
    pub zone: platform::zone::Zone,
}

impl DeliveryOnOrderEvents {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("DELIVERY_TABLE")?;
        let retention = config::outbox_retention()?;
        let zone = config::required_parsed::<platform::zone::Zone>("SHOP_TIME_ZONE")?;
        let deliveries = DynamoDeliveries::new(dynamodb().await, table)
            .with_outbox(retention)
            .with_inbox(ORDER_EVENTS_INBOX, retention);
        Ok(Self { deliveries, zone })
    }
}
