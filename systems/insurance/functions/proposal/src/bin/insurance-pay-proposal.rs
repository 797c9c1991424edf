//! Lambda: [`proposal::http::pay`]. Configuration: [`proposal::wiring::PayProposal`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(proposal::wiring::PayProposal::from_env()).await?;
    platform::lambda::serve_http(|request| proposal::http::pay(&deps, request)).await
}
