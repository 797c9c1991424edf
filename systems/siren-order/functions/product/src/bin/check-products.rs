//! Lambda: the synchronous product check the order context invokes (no route); payload
//! [`contracts::product_check`]. Configuration: [`product::wiring::CheckProducts`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(product::wiring::CheckProducts::from_env()).await?;
    platform::lambda::serve_invoke(|request| product::invoke::check_products(&deps, request)).await
}
