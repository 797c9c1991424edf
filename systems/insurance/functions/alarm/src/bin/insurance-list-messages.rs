//! Lambda: `GET /msgs` ([`alarm::http::list`]). Configuration: [`alarm::wiring::AlarmFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(alarm::wiring::AlarmFunction::from_env()).await?;
    platform::lambda::serve_http(|request| alarm::http::list(&deps, request)).await
}
