//! Lambda: the app's `get_order` handler ([`app::http::get_order`]). Configuration: [`app::wiring::ReadOrders`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(app::wiring::ReadOrders::from_env()).await?;
    platform::lambda::serve_http(|request| app::http::get_order(&deps, request)).await
}
