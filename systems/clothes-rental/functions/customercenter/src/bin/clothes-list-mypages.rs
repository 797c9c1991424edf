//! Lambda: `GET /mypages`. Configuration: [`customercenter::wiring::ListMyPages`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(customercenter::wiring::ListMyPages::from_env()).await?;
    platform::lambda::serve_http(|request| customercenter::http::list_mypages(&deps.pages, request)).await
}
