//! Lambda: the synchronous delivery cancel the order context invokes (no route); payload
//! [`contracts::delivery_cancel`]. Configuration: [`delivery::wiring::CancelDelivery`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(delivery::wiring::CancelDelivery::from_env()).await?;
    platform::lambda::serve_invoke(|request| delivery::invoke::cancel_delivery(&deps.deliveries, request)).await
}
