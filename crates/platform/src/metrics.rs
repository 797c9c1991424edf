//! Metrics in CloudWatch Embedded Metric Format (EMF).
//!
//! Code records through the `metrics` facade (`metrics::counter!("Name", "label" =>
//! value).increment(1)`); [`init`] installs `metrics_cloudwatch_embedded` as the recorder, with
//! the namespace `METRICS_NAMESPACE` (the template sets it to the stack name; default
//! `Serverless`) and the dimension `function` (`AWS_LAMBDA_FUNCTION_NAME`); the serve helpers
//! of [`crate::lambda`] [`flush`] once per invocation, which prints one EMF document per label
//! set to stdout, and CloudWatch Logs turns it into metrics. Nothing is printed for an
//! invocation that recorded nothing. Labels become dimensions: keep them few.

use std::sync::OnceLock;

use metrics_cloudwatch_embedded::Collector;

/// Namespace when `METRICS_NAMESPACE` is not set.
pub const DEFAULT_NAMESPACE: &str = "Serverless";

static COLLECTOR: OnceLock<Option<&'static Collector>> = OnceLock::new();

/// Installs the EMF recorder for this process, once; later calls do nothing. Without it,
/// recording is a no-op (tests, tools).
pub fn init() {
    COLLECTOR.get_or_init(|| {
        let namespace = std::env::var("METRICS_NAMESPACE").unwrap_or_else(|_| DEFAULT_NAMESPACE.to_owned());
        let mut builder = metrics_cloudwatch_embedded::Builder::new().cloudwatch_namespace(namespace);
        if let Ok(function) = std::env::var("AWS_LAMBDA_FUNCTION_NAME") {
            builder = builder.with_dimension("function", function);
        }
        match builder.init() {
            Ok(collector) => Some(collector),
            Err(err) => {
                tracing::warn!(error = %err, "metrics are off: the recorder could not be installed");
                None
            }
        }
    });
}

/// Writes what was recorded since the last flush as EMF documents to `writer`.
///
/// # Errors
/// When the writer fails.
pub fn flush_to(writer: impl std::io::Write) -> std::io::Result<()> {
    match COLLECTOR.get() {
        Some(Some(collector)) => collector.flush(writer),
        _ => Ok(()),
    }
}

/// Writes what was recorded since the last flush to stdout (one line per document).
pub fn flush() {
    if let Err(err) = flush_to(std::io::stdout().lock()) {
        tracing::warn!(error = %err, "metrics could not be written");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn what_is_recorded_is_flushed_once_as_an_emf_document() {
        super::init();
        metrics::counter!("TestThings", "kind" => "blue").increment(2);
        let mut out = Vec::new();
        super::flush_to(&mut out).unwrap();
        let line = String::from_utf8(out).unwrap();
        let document: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
        assert_eq!(document["_aws"]["CloudWatchMetrics"][0]["Namespace"], super::DEFAULT_NAMESPACE);
        assert_eq!(document["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"], "TestThings");
        assert_eq!(document["TestThings"], 2);
        assert_eq!(document["kind"], "blue");
        let mut again = Vec::new();
        super::flush_to(&mut again).unwrap();
        assert!(again.is_empty(), "a counter is flushed once: {}", String::from_utf8_lossy(&again));
    }
}
