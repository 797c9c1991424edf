//! Lambda: `GET /reports/sales?date=`. Configuration: [`report::wiring::SalesReport`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(report::wiring::SalesReport::from_env()).await?;
    platform::lambda::serve_http(|request| report::http::sales_report(&deps.views, request)).await
}
