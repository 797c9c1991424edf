//! Lambda: the notification consumer (SQS `NotificationInboxQueue`).
//! Configuration: [`notification::wiring::NotificationOnEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(notification::wiring::NotificationOnEvents::from_env()).await?;
    platform::lambda::serve_events(|event| notification::policies::notify_customer(&deps.messages, event)).await
}
