//! Lambda: the synchronous quote plan invokes (no route); payload [`contracts::quote_call`].
//! Configuration: [`product::wiring::ProductFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(product::wiring::ProductFunction::from_env()).await?;
    platform::lambda::serve_invoke(|request| product::invoke::quote(&deps.products, request)).await
}
