//! Reservation's reactions to events, named by their effect (queue `ReservationInboxQueue`,
//! subscribed to room, payment and promotion topics): [`follow_events`] keeps the room copies,
//! reconciles a late payment (`PaymentApproved`) and confirms on `PromotionGranted`. Each is
//! applied once.

use anyhow::Context;
use contracts::payment::PaymentEvent;
use contracts::promotion::PromotionEvent;
use contracts::room::{RoomEvent, RoomFacts};
use platform::EventEnvelope;

use crate::application;
use crate::domain::{Benefit, PaymentId, ReservationId, RoomCopy, RoomId};
use crate::ports::{Reservations, Rooms};

/// The inbox name of the consumer (part of its inbox items' keys: keep it).
pub const FOLLOW_INBOX: &str = "reservation-on-events";

fn copy_of(facts: RoomFacts) -> anyhow::Result<RoomCopy> {
    Ok(RoomCopy {
        room_id: RoomId::parse(&facts.room_id).context("roomId")?,
        name: facts.name,
        price_per_night: facts.price_per_night,
        status: facts.status.parse().context("status")?,
        version: facts.version,
    })
}

/// Applies a room, payment or promotion event to reservation, once; others are acknowledged.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn follow_events<S: Rooms + Reservations>(store: &S, event: EventEnvelope) -> anyhow::Result<()> {
    let followed = match event.event_type.as_str() {
        "RoomRegistered" | "RoomChanged" => {
            let (RoomEvent::RoomRegistered(facts) | RoomEvent::RoomChanged(facts)) = event.decode()?;
            Box::pin(application::keep_room(store, &copy_of(facts)?, &event)).await?
        }
        "PaymentApproved" => {
            let PaymentEvent::PaymentApproved(e) = event.decode()? else { anyhow::bail!("not PaymentApproved") };
            let id = ReservationId::parse(&e.reservation_id).context("reservationId")?;
            let payment = PaymentId::parse(&e.payment_id).context("paymentId")?;
            Box::pin(application::reconcile_paid(store, &id, &payment, &event)).await?
        }
        "PromotionGranted" => {
            let PromotionEvent::PromotionGranted(e) = event.decode()? else { anyhow::bail!("not PromotionGranted") };
            let id = ReservationId::parse(&e.reservation_id).context("reservationId")?;
            let payment = PaymentId::parse(&e.payment_id).context("paymentId")?;
            let benefit = Benefit { service: e.service, points: e.points };
            Box::pin(application::confirm(store, &id, &payment, &benefit, &event)).await?
        }
        other => {
            tracing::info!(event_type = other, "not for reservation; acknowledged");
            return Ok(());
        }
    };
    tracing::info!(event_type = %event.event_type, ?followed, "event followed");
    Ok(())
}
