//! Lambda: `GET /products/{productId}`. Configuration: [`product::wiring::GetProduct`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(product::wiring::GetProduct::from_env()).await?;
    platform::lambda::serve_http(|request| product::http::get_product(&deps, request)).await
}
