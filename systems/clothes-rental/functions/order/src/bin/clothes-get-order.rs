//! Lambda: `GET /orders/{orderId}`. Configuration: [`order::wiring::GetOrder`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(order::wiring::GetOrder::from_env()).await?;
    platform::lambda::serve_http(|request| order::http::get_order(&deps, request)).await
}
