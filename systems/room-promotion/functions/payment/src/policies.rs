//! Payment's reaction to reservation events, named by its effect (queue `PaymentInboxQueue`,
//! subscribed to `ReservationEventsTopic` for `ReservationCancelled`): [`give_back`] refunds a
//! cancelled reservation's payment, or refuses a later one ahead with a tombstone. Applied once.

use anyhow::Context;
use contracts::reservation::ReservationEvent;
use platform::EventEnvelope;

use crate::application::{self, GivenBack};
use crate::domain::{CustomerId, ReservationId};
use crate::ports::Payments;

/// The inbox name of the reservation-event consumer (part of its inbox items' keys: keep it).
pub const RESERVATION_EVENTS_INBOX: &str = "payment-on-reservation-events";

/// Gives back the payment of a cancelled reservation, once.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn give_back(payments: &impl Payments, event: EventEnvelope) -> anyhow::Result<()> {
    let (reservation, customer) = match event.decode::<ReservationEvent>().context("not a reservation event")? {
        ReservationEvent::ReservationCancelled(e) => (e.reservation_id, e.customer_id),
        ReservationEvent::ReservationPlaced(_) => {
            tracing::info!("ReservationPlaced is not for payment; acknowledged");
            return Ok(());
        }
    };
    let reservation = ReservationId::parse(&reservation).context("reservationId")?;
    let customer = CustomerId::parse(&customer).context("customerId")?;
    match Box::pin(application::give_back(payments, &reservation, &customer, &event)).await? {
        GivenBack::Cancelled => tracing::info!(event_type = %event.event_type, "payment refunded"),
        GivenBack::Tombstoned => tracing::info!("no payment yet: tombstone kept, a late one is refused"),
        GivenBack::Nothing => tracing::info!(event_type = %event.event_type, "nothing to give back"),
    }
    Ok(())
}
