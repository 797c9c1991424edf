//! Lambda: `PATCH /products/{productId}`. Configuration: [`product::wiring::ChangeProduct`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(product::wiring::ChangeProduct::from_env()).await?;
    platform::lambda::serve_http(|request| product::http::change_product(&deps, request)).await
}
