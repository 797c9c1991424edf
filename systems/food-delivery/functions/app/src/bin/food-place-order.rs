//! Lambda: the app's `place_order` handler ([`app::http::place_order`]). Configuration: [`app::wiring::PlaceOrder`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(app::wiring::PlaceOrder::from_env()).await?;
    platform::lambda::serve_http(|request| app::http::place_order(&deps, request)).await
}
