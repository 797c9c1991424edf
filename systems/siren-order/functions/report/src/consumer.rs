//! The report's consumer (queue `ReportInboxQueue`, subscribed to OrderPlaced,
//! OrderCompleted, OrderCancelled, OrderWaited, ProductRegistered and ProductChanged).
//!
//! Every update sets only the facts its event carries, so it is idempotent and
//! order-insensitive by construction: no inbox is needed.

use contracts::delivery::OrderWaited;
use contracts::order::{OrderCancelled, OrderCompleted, OrderPlaced};
use contracts::product::{ProductChanged, ProductRegistered};
use platform::EventEnvelope;
use platform::envelope::DomainEvent;

use crate::store::DynamoReport;

/// What the consumer needs.
#[derive(Debug, Clone)]
pub struct Reporter {
    /// The views.
    pub report: DynamoReport,
    /// The shop's time zone: an order belongs to the local day it was placed on.
    pub zone: chrono_tz::Tz,
}

/// Applies one event to the views.
///
/// # Errors
/// When the event's data does not match its type or storage fails (retried, then
/// dead-lettered).
pub async fn on_event(reporter: &Reporter, event: EventEnvelope) -> anyhow::Result<()> {
    let data = event.data.clone();
    match event.event_type.as_str() {
        OrderPlaced::TYPE => {
            let placed: OrderPlaced = serde_json::from_value(data)?;
            let placed_at = placed.placed_at.parse::<chrono::DateTime<chrono::Utc>>()?;
            let day = placed_at.with_timezone(&reporter.zone).date_naive().to_string();
            reporter.report.record_placed(&placed, placed_at, &day).await?;
        }
        OrderWaited::TYPE => {
            let waited: OrderWaited = serde_json::from_value(data)?;
            reporter.report.record_waited(&waited.order_id, waited.waiting_number).await?;
        }
        OrderCompleted::TYPE => {
            let completed: OrderCompleted = serde_json::from_value(data)?;
            reporter.report.record_completed(&completed.order_id, event.occurred_at).await?;
        }
        OrderCancelled::TYPE => {
            let cancelled: OrderCancelled = serde_json::from_value(data)?;
            reporter.report.record_cancelled(&cancelled.order_id, event.occurred_at).await?;
        }
        ProductRegistered::TYPE => {
            let p: ProductRegistered = serde_json::from_value(data)?;
            reporter.report.record_product(&p.product_id, &p.name, p.price, &p.status, 1).await?;
        }
        ProductChanged::TYPE => {
            let p: ProductChanged = serde_json::from_value(data)?;
            reporter.report.record_product(&p.product_id, &p.name, p.price, &p.status, p.version).await?;
        }
        other => {
            tracing::warn!(event_type = other, "not an event the report reads; acknowledged");
            return Ok(());
        }
    }
    tracing::info!("report updated");
    Ok(())
}
