//! Lambda: the my page's consumer (SQS `MyPageInboxQueue`, partial batch failures):
//! [`mypage::policies::record_progress`]. Configuration: [`mypage::wiring::MyPageOnEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(mypage::wiring::MyPageOnEvents::from_env()).await?;
    platform::lambda::serve_events(|event| mypage::policies::record_progress(&deps.pages, event)).await
}
