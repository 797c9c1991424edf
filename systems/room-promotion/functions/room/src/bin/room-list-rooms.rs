//! Lambda: room's `list` handler ([`room::http::list`]). Configuration: [`room::wiring::RoomFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(room::wiring::RoomFunction::from_env()).await?;
    platform::lambda::serve_http(|request| room::http::list(&deps, request)).await
}
