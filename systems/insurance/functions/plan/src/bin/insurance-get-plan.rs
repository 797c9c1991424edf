//! Lambda: [`plan::http::get`]. Configuration: [`plan::wiring::PlanFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(plan::wiring::PlanFunction::from_env()).await?;
    platform::lambda::serve_http(|request| plan::http::get(&deps, request)).await
}
