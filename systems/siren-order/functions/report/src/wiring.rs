//! The configuration of each report function, read once at cold start from the variables
//! `infra/template.yaml` sets. The report writes no outbox, so none needs a retention.

use platform::config::{self, ConfigError};

use crate::store::DynamoReport;

/// `ReportOnEventsFunction` (binary `report-on-events`): `REPORT_TABLE`, `SHOP_TIME_ZONE`.
#[derive(Debug, Clone)]
pub struct ReportOnEvents {
    /// The read models, written fact by fact.
    pub facts: DynamoReport,
    /// The shop's IANA time zone: an order belongs to the local day it was placed on.
    pub zone: platform::zone::Zone,
}

impl ReportOnEvents {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("REPORT_TABLE")?;
        let zone = config::required_parsed("SHOP_TIME_ZONE")?;
        Ok(Self { facts: report_table(table).await, zone })
    }
}

/// `SalesReportFunction` (binary `sales-report`, `GET /reports/sales`): `REPORT_TABLE`.
#[derive(Debug, Clone)]
pub struct SalesReport {
    /// The read models.
    pub views: DynamoReport,
}

impl SalesReport {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { views: report_table(config::required("REPORT_TABLE")?).await })
    }
}

/// `OrdersReportFunction` (binary `orders-report`, `GET /reports/orders`): `REPORT_TABLE`.
#[derive(Debug, Clone)]
pub struct OrdersReport {
    /// The read models.
    pub views: DynamoReport,
}

impl OrdersReport {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { views: report_table(config::required("REPORT_TABLE")?).await })
    }
}

async fn report_table(table: String) -> DynamoReport {
    let sdk = platform::aws::sdk_config().await;
    DynamoReport::new(platform::aws::dynamodb(&sdk), table)
}
