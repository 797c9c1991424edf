//! Plan's reactions to events, named by their effect (queue `PlanInboxQueue`, subscribed to
//! `CustomerRegistered` and `ProductDescriptionIssued`): [`follow_events`] keeps the customer
//! copies and marks a plan version's description issued. Each is applied once.

use anyhow::Context;
use chrono::{DateTime, Utc};
use contracts::customer::CustomerEvent;
use contracts::product::ProductEvent;
use platform::EventEnvelope;

use crate::application;
use crate::domain::{CustomerCopy, PlanNo, today};
use crate::ports::{Customers, Plans};

/// The inbox name of the consumer (part of its inbox items' keys: keep it).
pub const FOLLOW_INBOX: &str = "plan-on-events";

/// Applies a customer or product event to plan, once; others are acknowledged.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn follow_events<S: Customers + Plans>(store: &S, event: EventEnvelope) -> anyhow::Result<()> {
    let followed = match event.event_type.as_str() {
        "CustomerRegistered" => {
            let CustomerEvent::CustomerRegistered(c) = event.decode()?;
            let copy = CustomerCopy {
                customer_no: c.customer_no,
                name: c.name,
                birth_date: c.birth_date.parse().context("birthDate")?,
                subject: c.subject,
            };
            Box::pin(application::keep_customer(store, &copy, &event)).await?
        }
        "ProductDescriptionIssued" => {
            let ProductEvent::ProductDescriptionIssued(d) = event.decode()?;
            let no = PlanNo::parse(&d.plan_no).context("planNo")?;
            let issued_at: DateTime<Utc> = d.issued_at.parse().context("issuedAt")?;
            Box::pin(application::description_issued(store, &no, (d.plan_version, today(issued_at)), &event)).await?
        }
        other => {
            tracing::info!(event_type = other, "not for plan; acknowledged");
            return Ok(());
        }
    };
    tracing::info!(event_type = %event.event_type, ?followed, "event followed");
    Ok(())
}
