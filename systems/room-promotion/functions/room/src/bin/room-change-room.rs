//! Lambda: room's `change` handler ([`room::http::change`]). Configuration: [`room::wiring::RoomFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(room::wiring::RoomFunction::from_env()).await?;
    platform::lambda::serve_http(|request| room::http::change(&deps, request)).await
}
