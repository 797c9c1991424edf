//! A hello-world `lambda_http` function: the baseline of init-time measurements (what any
//! Rust HTTP Lambda costs before the business's own configuration and SDK clients).
//! It answers every request with `200 hello`.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_: Request| async { Ok::<_, Error>(Response::new(Body::from("hello"))) })).await
}
