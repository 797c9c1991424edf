//! Lambda: the my page's consumer (SQS `MyPageInboxQueue`). Configuration:
//! [`customercenter::wiring::MyPageOnEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(customercenter::wiring::MyPageOnEvents::from_env()).await?;
    platform::lambda::serve_events(|event| customercenter::policies::follow_order(&deps.pages, event)).await
}
