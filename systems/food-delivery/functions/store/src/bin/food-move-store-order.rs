//! Lambda: `PATCH /store/orders/{orderId}` (Cooking, Dispatched). Configuration:
//! [`store::wiring::ChangeStoreOrder`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(store::wiring::ChangeStoreOrder::from_env()).await?;
    platform::lambda::serve_http(|request| store::http::move_store_order(&deps.orders, request)).await
}
