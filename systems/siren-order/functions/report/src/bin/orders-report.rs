//! Lambda: `GET /reports/orders?date=`. Configuration: [`report::wiring::OrdersReport`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(report::wiring::OrdersReport::from_env()).await?;
    platform::lambda::serve_http(|request| report::http::orders_report(&deps.views, request)).await
}
