//! Lambda: `POST /customers` ([`customer::http::register`]). Configuration: [`customer::wiring::CustomerFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(customer::wiring::CustomerFunction::from_env()).await?;
    platform::lambda::serve_http(|request| customer::http::register(&deps, request)).await
}
