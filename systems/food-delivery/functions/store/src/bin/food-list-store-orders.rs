//! Lambda: `GET /store/orders`, the kitchen queue. Configuration: [`store::wiring::ListStoreOrders`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(store::wiring::ListStoreOrders::from_env()).await?;
    platform::lambda::serve_http(|request| store::http::list_store_orders(&deps.orders, request)).await
}
