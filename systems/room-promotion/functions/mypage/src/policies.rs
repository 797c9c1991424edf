//! The consumer of `MyPageInboxQueue`, named by its effect: [`update_page`]. The queue is
//! subscribed to the reservation, payment and promotion topics.

use anyhow::Context;
use contracts::payment::PaymentEvent;
use contracts::promotion::PromotionEvent;
use contracts::reservation::ReservationEvent;
use platform::EventEnvelope;

use crate::application;
use crate::domain::{Fact, GrantStatus, PromotionLine};
use crate::ports::MyPages;

/// The inbox name of the consumer (part of its inbox items' keys: keep it).
pub const MYPAGE_INBOX: &str = "mypage-on-events";

/// The customer and the fact an event tells the page; `None` for another event.
///
/// # Errors
/// When the event does not decode.
pub fn fact_of(event: &EventEnvelope) -> anyhow::Result<Option<(String, Fact)>> {
    Ok(Some(match event.event_type.as_str() {
        "ReservationPlaced" | "ReservationCancelled" => match event.decode().context("a reservation event")? {
            ReservationEvent::ReservationPlaced(e) => (
                e.customer_id,
                Fact::Placed {
                    reservation_id: e.reservation_id,
                    room_id: e.room_id,
                    room_name: e.room_name,
                    check_in: e.check_in,
                    nights: e.nights,
                    amount: e.amount,
                },
            ),
            ReservationEvent::ReservationCancelled(e) => {
                (e.customer_id, Fact::Cancelled { reservation_id: e.reservation_id })
            }
        },
        "PaymentApproved" | "PaymentCancelled" => match event.decode().context("a payment event")? {
            PaymentEvent::PaymentApproved(e) => {
                (e.customer_id, Fact::Paid { reservation_id: e.reservation_id, payment_id: e.payment_id })
            }
            PaymentEvent::PaymentCancelled(e) => (e.customer_id, Fact::Refunded { reservation_id: e.reservation_id }),
        },
        "PromotionGranted" | "PromotionRevoked" => match event.decode().context("a promotion event")? {
            PromotionEvent::PromotionGranted(e) => (
                e.customer_id,
                Fact::Promotion(PromotionLine {
                    promotion_id: e.promotion_id,
                    payment_id: e.payment_id,
                    reservation_id: e.reservation_id,
                    service: e.service,
                    points: e.points,
                    status: GrantStatus::Granted,
                }),
            ),
            PromotionEvent::PromotionRevoked(e) => (
                e.customer_id,
                Fact::Promotion(PromotionLine {
                    promotion_id: e.promotion_id,
                    payment_id: e.payment_id,
                    reservation_id: e.reservation_id,
                    service: e.service,
                    points: e.points,
                    status: GrantStatus::Revoked,
                }),
            ),
        },
        _ => return Ok(None),
    }))
}

/// Applies `event` to its customer's page, once; another event type is acknowledged.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn update_page(pages: &impl MyPages, event: EventEnvelope) -> anyhow::Result<()> {
    let Some((customer, fact)) = fact_of(&event)? else {
        tracing::info!(event_type = %event.event_type, "not for the my page; acknowledged");
        return Ok(());
    };
    let applied = Box::pin(application::apply(pages, &customer, &fact, &event)).await?;
    tracing::info!(event_type = %event.event_type, ?applied, "my page updated");
    Ok(())
}
