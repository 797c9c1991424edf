//! Lambda: reservation's `pay` handler ([`reservation::http::pay`]). Configuration: [`reservation::wiring::PayReservation`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(reservation::wiring::PayReservation::from_env()).await?;
    platform::lambda::serve_http(|request| reservation::http::pay(&deps, request)).await
}
