//! Lambda: the app's `cancel_order` handler ([`app::http::cancel_order`]). Configuration: [`app::wiring::CancelOrder`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(app::wiring::CancelOrder::from_env()).await?;
    platform::lambda::serve_http(|request| app::http::cancel_order(&deps, request)).await
}
