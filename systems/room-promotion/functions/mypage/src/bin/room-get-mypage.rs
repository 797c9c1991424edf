//! Lambda: `GET /mypage` ([`mypage::http::get`]). Configuration: [`mypage::wiring::ReadMyPage`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(mypage::wiring::ReadMyPage::from_env()).await?;
    platform::lambda::serve_http(|request| mypage::http::get(&deps, request)).await
}
