//! Lambda: the counter's policies on order events (SQS `DeliveryInboxQueue`, partial batch
//! failures). Configuration: [`delivery::wiring::DeliveryOnOrderEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(delivery::wiring::DeliveryOnOrderEvents::from_env()).await?;
    platform::lambda::serve_events(|event| delivery::policies::on_order_event(&deps.deliveries, &deps.zone, event))
        .await
}
