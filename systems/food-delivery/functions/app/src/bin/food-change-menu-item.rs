//! Lambda: the app's `change_menu_item` handler ([`app::http::change_menu_item`]). Configuration: [`app::wiring::MenuFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(app::wiring::MenuFunction::from_env()).await?;
    platform::lambda::serve_http(|request| app::http::change_menu_item(&deps, request)).await
}
