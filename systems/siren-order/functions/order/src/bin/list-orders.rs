//! Lambda: `GET /orders?customerId=`. Configuration: [`order::wiring::ListOrders`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(order::wiring::ListOrders::from_env()).await?;
    platform::lambda::serve_http(|request| order::http::list_orders(&deps, request)).await
}
