//! Lambda: the synchronous pay the proposal context invokes (no route); payload
//! [`contracts::pay_call`]. Configuration: [`payment::wiring::PayFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(payment::wiring::PayFunction::from_env()).await?;
    platform::lambda::serve_invoke(|request| payment::invoke::pay(&deps.payments, request)).await
}
