//! Lambda: the app's `get_menu` handler ([`app::http::get_menu`]). Configuration: [`app::wiring::MenuFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(app::wiring::MenuFunction::from_env()).await?;
    platform::lambda::serve_http(|request| app::http::get_menu(&deps, request)).await
}
