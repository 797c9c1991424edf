//! Lambda: alarm's consumer (SQS `AlarmInboxQueue`, partial batch failures):
//! [`alarm::policies::notify_customer`]. Configuration: [`alarm::wiring::AlarmFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(alarm::wiring::AlarmFunction::from_env()).await?;
    platform::lambda::serve_events(|event| alarm::policies::notify_customer(&deps.messages, event)).await
}
