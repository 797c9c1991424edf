//! Lambda: `POST /products`. Configuration: [`product::wiring::RegisterProduct`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(product::wiring::RegisterProduct::from_env()).await?;
    platform::lambda::serve_http(|request| product::http::register_product(&deps, request)).await
}
