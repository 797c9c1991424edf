//! Promotion's reactions to payment events, named by their effect (queue
//! `PromotionInboxQueue`, subscribed to `PaymentEventsTopic`): [`grant_or_revoke`] grants the
//! promotion of an approved payment and revokes that of a refunded one. Each is applied once.

use anyhow::Context;
use contracts::payment::PaymentEvent;
use platform::EventEnvelope;

use crate::application;
use crate::domain::{ApprovedPayment, CustomerId, PaymentId, ReservationId};
use crate::ports::Promotions;

/// The inbox name of the payment-event consumer (part of its inbox items' keys: keep it).
pub const PAYMENT_EVENTS_INBOX: &str = "promotion-on-payment-events";

/// Grants (on `PaymentApproved`) or revokes (on `PaymentCancelled`) a promotion, once.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn grant_or_revoke(promotions: &impl Promotions, event: EventEnvelope) -> anyhow::Result<()> {
    let outcome = match event.decode::<PaymentEvent>().context("not a payment event")? {
        PaymentEvent::PaymentApproved(e) => {
            let paid = ApprovedPayment {
                payment_id: PaymentId::parse(&e.payment_id).context("paymentId")?,
                reservation_id: ReservationId::parse(&e.reservation_id).context("reservationId")?,
                customer_id: CustomerId::parse(&e.customer_id).context("customerId")?,
                customer_name: e.customer_name,
                amount: e.amount,
            };
            Box::pin(application::grant(promotions, &paid, &event)).await?
        }
        PaymentEvent::PaymentCancelled(e) => {
            let payment = PaymentId::parse(&e.payment_id).context("paymentId")?;
            Box::pin(application::revoke(promotions, &payment, &event)).await?
        }
    };
    tracing::info!(event_type = %event.event_type, ?outcome, "payment event applied");
    Ok(())
}
