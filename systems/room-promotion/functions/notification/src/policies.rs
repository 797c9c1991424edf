//! The consumer of `NotificationInboxQueue`, named by its effect: [`notify_customer`]. The
//! queue is subscribed to `ReservationCancelled`, `PaymentApproved`, `PaymentCancelled`,
//! `PromotionGranted` and `PromotionRevoked`.

use anyhow::Context;
use contracts::payment::PaymentEvent;
use contracts::promotion::PromotionEvent;
use contracts::reservation::ReservationEvent;
use platform::EventEnvelope;

use crate::domain::Occasion;
use crate::ports::Notices;

/// Notifies the customer of `event`, once however often it arrives; another event type is
/// acknowledged and logged.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn notify_customer(notices: &impl Notices, event: EventEnvelope) -> anyhow::Result<()> {
    let (occasion, customer, reservation) = match event.event_type.as_str() {
        "ReservationCancelled" => match event.decode().context("ReservationCancelled")? {
            ReservationEvent::ReservationCancelled(e) => {
                (Occasion::ReservationCancelled, e.customer_id, e.reservation_id)
            }
            ReservationEvent::ReservationPlaced(_) => return Ok(()),
        },
        "PaymentApproved" | "PaymentCancelled" => match event.decode().context("a payment event")? {
            PaymentEvent::PaymentApproved(e) => {
                (Occasion::PaymentApproved { amount: e.amount }, e.customer_id, e.reservation_id)
            }
            PaymentEvent::PaymentCancelled(e) => {
                (Occasion::PaymentCancelled { amount: e.amount }, e.customer_id, e.reservation_id)
            }
        },
        "PromotionGranted" | "PromotionRevoked" => match event.decode().context("a promotion event")? {
            PromotionEvent::PromotionGranted(e) => {
                (Occasion::PromotionGranted { service: e.service, points: e.points }, e.customer_id, e.reservation_id)
            }
            PromotionEvent::PromotionRevoked(e) => {
                (Occasion::PromotionRevoked { points: e.points }, e.customer_id, e.reservation_id)
            }
        },
        other => {
            tracing::info!(event_type = other, "not a notification occasion; acknowledged");
            return Ok(());
        }
    };
    let notice = occasion.notice(&customer, &reservation);
    let applied = Box::pin(notices.send_once(&event, &[notice])).await?;
    tracing::info!(event_type = %event.event_type, ?applied, "customer notified");
    Ok(())
}
