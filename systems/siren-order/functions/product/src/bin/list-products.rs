//! Lambda: `GET /products` (the menu). Configuration: [`product::wiring::ListProducts`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(product::wiring::ListProducts::from_env()).await?;
    platform::lambda::serve_http(|request| product::http::list_products(&deps, request)).await
}
