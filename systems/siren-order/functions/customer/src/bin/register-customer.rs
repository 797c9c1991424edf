//! Lambda: `POST /customers`. Configuration: [`customer::wiring::RegisterCustomer`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(customer::wiring::RegisterCustomer::from_env()).await?;
    platform::lambda::serve_http(|request| customer::http::register_customer(&deps, request)).await
}
