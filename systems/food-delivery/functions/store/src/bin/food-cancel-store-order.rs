//! Lambda: the synchronous store cancel the app invokes (no route); payload
//! [`contracts::store_cancel`]. Configuration: [`store::wiring::ChangeStoreOrder`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(store::wiring::ChangeStoreOrder::from_env()).await?;
    platform::lambda::serve_invoke(|request| store::invoke::cancel_store_order(&deps.orders, request)).await
}
