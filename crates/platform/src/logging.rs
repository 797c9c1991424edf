//! Structured logs.
//!
//! Lambda's advanced logging controls decide the format: with `LoggingConfig.LogFormat: JSON`
//! in the template, Lambda sets `AWS_LAMBDA_LOG_FORMAT=JSON` and each line is a JSON object;
//! `AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG` set the level. Handlers open a span carrying
//! `correlation_id`, so every line logged while handling one business flow carries it.

/// Installs the process-wide subscriber. Call once, first thing in `main`.
pub fn init() {
    lambda_http::tracing::init_default_subscriber();
}
