//! Lambda: the store's policy on `OrderPlaced` (SQS `StoreInboxQueue`, partial batch failures).
//! Configuration: [`store::wiring::StoreOnOrderEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(store::wiring::StoreOnOrderEvents::from_env()).await?;
    platform::lambda::serve_events(|event| store::policies::receive_order(&deps.orders, event)).await
}
