//! Product's reaction to plan events, named by its effect (queue `ProductInboxQueue`, subscribed
//! to `PlanEventsTopic` for `ProductDescriptionRequested`): [`issue_description`]. Applied once.

use anyhow::Context;
use contracts::plan::PlanEvent;
use platform::EventEnvelope;

use crate::application;
use crate::domain::ProductCode;
use crate::ports::Products;

/// The inbox name of the consumer (part of its inbox items' keys: keep it).
pub const DESCRIPTION_INBOX: &str = "product-on-plan-events";

/// Issues the product description a plan version asks for, once.
///
/// # Errors
/// When the event is malformed or names an unknown product (dead-lettered in the end), or
/// storage keeps failing (retried).
pub async fn issue_description(products: &impl Products, event: EventEnvelope) -> anyhow::Result<()> {
    let PlanEvent::ProductDescriptionRequested(asked) = event.decode::<PlanEvent>().context("not a plan event")? else {
        tracing::info!(event_type = %event.event_type, "not for product; acknowledged");
        return Ok(());
    };
    let code = ProductCode::parse(&asked.product_code).context("productCode")?;
    let plan = (asked.plan_no, asked.version, asked.customer_no);
    let issued = Box::pin(application::issue_description(products, &code, plan, &event)).await?;
    tracing::info!(?issued, "product description");
    Ok(())
}
