//! Lambda: the app's `list_orders` handler ([`app::http::list_orders`]). Configuration: [`app::wiring::ReadOrders`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(app::wiring::ReadOrders::from_env()).await?;
    platform::lambda::serve_http(|request| app::http::list_orders(&deps, request)).await
}
