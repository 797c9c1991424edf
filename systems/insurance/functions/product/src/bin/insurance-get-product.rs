//! Lambda: [`product::http::get`]. Configuration: [`product::wiring::ProductFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(product::wiring::ProductFunction::from_env()).await?;
    platform::lambda::serve_http(|request| product::http::get(&deps, request)).await
}
