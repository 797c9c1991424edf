//! Lambda: reservation's `get` handler ([`reservation::http::get`]). Configuration: [`reservation::wiring::ReservationFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(reservation::wiring::ReservationFunction::from_env()).await?;
    platform::lambda::serve_http(|request| reservation::http::get(&deps, request)).await
}
