//! Lambda: `POST /orders/{orderId}/cancel`. Configuration: [`order::wiring::CancelOrder`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(order::wiring::CancelOrder::from_env()).await?;
    platform::lambda::serve_http(|request| order::http::cancel_order(&deps, request)).await
}
