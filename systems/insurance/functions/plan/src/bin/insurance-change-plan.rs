//! Lambda: [`plan::http::change`]. Configuration: [`plan::wiring::QuotingFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(plan::wiring::QuotingFunction::from_env()).await?;
    platform::lambda::serve_http(|request| plan::http::change(&deps, request)).await
}
