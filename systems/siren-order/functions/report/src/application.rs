//! The report's use cases: record an event's facts, build the sales report, build the
//! orders report.

use chrono::NaiveDate;
use platform::page::{Cursor, PageError, PageLimits, PageRequest};
use platform::zone::Zone;

use crate::domain::{Fact, OrdersReport, ReportEvent, SalesReport};
use crate::ports::{Kept, ReportFacts, ReportViews};

/// Why [`record_facts`] did not record.
#[derive(Debug, thiserror::Error)]
pub enum RecordFactsError {
    /// Storage failed; the event is retried (then dead-lettered).
    #[error("the report's facts could not be stored")]
    Storage(#[source] anyhow::Error),
}

/// Records the fact `event` sets, and only that one; `zone` is the shop's time zone.
/// Idempotent and order-insensitive, so the consumer needs no inbox.
///
/// # Errors
/// [`RecordFactsError::Storage`] when storage fails.
pub async fn record_facts(facts: &impl ReportFacts, zone: &Zone, event: ReportEvent) -> Result<(), RecordFactsError> {
    match event.fact(zone) {
        Fact::Order { order_id, fact } => {
            facts.set_order_fact(&order_id, &fact).await.map_err(RecordFactsError::Storage)?;
            tracing::info!(order_id = %order_id, "order fact recorded");
        }
        Fact::Product(product) => {
            let kept = facts.keep_product(&product).await.map_err(RecordFactsError::Storage)?;
            if kept == Kept::Stale {
                let (product_id, version) = (&product.product_id, product.version);
                tracing::info!(%product_id, version, "an older product version arrived late; ignored");
            }
        }
    }
    Ok(())
}

/// Why [`sales_report`] did not answer.
#[derive(Debug, thiserror::Error)]
pub enum SalesReportError {
    /// Storage failed.
    #[error("the sales report could not be read")]
    Storage(#[source] anyhow::Error),
}

/// The sales report of the shop day `date`.
///
/// # Errors
/// [`SalesReportError::Storage`] when the views cannot be read.
pub async fn sales_report(views: &impl ReportViews, date: NaiveDate) -> Result<SalesReport, SalesReportError> {
    let orders = views.orders_of_day(date).await.map_err(SalesReportError::Storage)?;
    let names = views.product_names().await.map_err(SalesReportError::Storage)?;
    Ok(SalesReport::of(date, &orders, &names))
}

/// Page size of [`orders_report`] (`GET /reports/orders`): 100 orders without `limit`, at
/// most 500.
pub const ORDERS_REPORT_LIMIT: PageLimits = PageLimits::new(100, 500);

/// Why [`orders_report`] did not answer.
#[derive(Debug, thiserror::Error)]
pub enum OrdersReportError {
    /// The page's cursor is not one of this day's list.
    #[error("the orders report's nextToken does not fit: {0}")]
    InvalidCursor(#[source] platform::page::InvalidCursor),
    /// Storage failed.
    #[error("the orders report could not be read")]
    Storage(#[source] anyhow::Error),
}

/// One `page` of the orders of the shop day `date` with their current status, in the
/// order they were placed (sized within [`ORDERS_REPORT_LIMIT`] by the edge), and the
/// cursor of the next page (`None` on the last).
///
/// # Errors
/// [`OrdersReportError::InvalidCursor`] for a cursor of another day's list;
/// [`OrdersReportError::Storage`] when the views cannot be read.
pub async fn orders_report(
    views: &impl ReportViews,
    date: NaiveDate,
    page: &PageRequest,
) -> Result<(OrdersReport, Option<Cursor>), OrdersReportError> {
    let orders = views.orders_of_day_page(date, page).await.map_err(|err| match err {
        PageError::InvalidCursor(invalid) => OrdersReportError::InvalidCursor(invalid),
        PageError::Storage(err) => OrdersReportError::Storage(err),
    })?;
    Ok((OrdersReport::of(date, orders.items), orders.next))
}
