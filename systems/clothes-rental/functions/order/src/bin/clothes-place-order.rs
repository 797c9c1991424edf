//! Lambda: `POST /orders`. Configuration: [`order::wiring::PlaceOrder`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(order::wiring::PlaceOrder::from_env()).await?;
    platform::lambda::serve_http(|request| order::http::place_order(&deps, request)).await
}
