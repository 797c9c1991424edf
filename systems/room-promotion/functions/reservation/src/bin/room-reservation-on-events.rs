//! Lambda: reservation's consumer of room, payment and promotion events (SQS
//! `ReservationInboxQueue`, partial batch failures): [`reservation::policies::follow_events`].
//! Configuration: [`reservation::wiring::ReservationOnEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(reservation::wiring::ReservationOnEvents::from_env()).await?;
    platform::lambda::serve_events(|event| reservation::policies::follow_events(&deps.store, event)).await
}
