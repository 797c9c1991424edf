//! Lambda: [`proposal::http::get`]. Configuration: [`proposal::wiring::ProposalFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(proposal::wiring::ProposalFunction::from_env()).await?;
    platform::lambda::serve_http(|request| proposal::http::get(&deps, request)).await
}
