//! Lambda: the customer notifications consumer (SQS `CustomerInboxQueue`).
//! Configuration: [`customer::wiring::CustomerOnEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(customer::wiring::CustomerOnEvents::from_env()).await?;
    platform::lambda::serve_events(|event| customer::policies::notify_customer(&deps.messages, event)).await
}
