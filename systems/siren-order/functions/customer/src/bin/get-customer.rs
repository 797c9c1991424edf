//! Lambda: `GET /customers/{customerId}`. Configuration: [`customer::wiring::GetCustomer`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(customer::wiring::GetCustomer::from_env()).await?;
    platform::lambda::serve_http(|request| customer::http::get_customer(&deps, request)).await
}
