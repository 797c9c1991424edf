//! Lambda: the synchronous pay the app invokes for each order (no route); payload
//! [`contracts::pay_call`]. Configuration: [`pay::wiring::PayFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(pay::wiring::PayFunction::from_env()).await?;
    platform::lambda::serve_invoke(|request| pay::invoke::pay(&deps.payments, request)).await
}
