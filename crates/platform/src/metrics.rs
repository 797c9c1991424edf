//! Metrics in CloudWatch Embedded Metric Format (EMF).
//!
//! Code records through the `metrics` facade (`metrics::counter!("Name", "label" =>
//! value).increment(1)`); [`init`] installs `metrics_cloudwatch_embedded` as the recorder, with
//! the namespace `METRICS_NAMESPACE` (the template sets it to the stack name; default
//! `Serverless`) and the one dimension `Service` (the bounded context,
//! [`crate::logging::service`]; per-function figures are Lambda's own metrics); the serve helpers
//! of [`crate::lambda`] [`flush`] once per invocation, which prints one EMF document per label
//! set to stdout, and CloudWatch Logs turns it into metrics. Nothing is printed for an
//! invocation that recorded nothing. Labels become dimensions: keep them few.
//!
//! A system records its business figures with [`count`] (a counter: things that happened,
//! or a sum such as an amount of money) and [`milliseconds`] (a duration, unit
//! `Milliseconds`), where the fact is committed (after the write, once per effect: not for
//! a replayed request or a duplicate event). Metric names are the system's.

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
        let builder = metrics_cloudwatch_embedded::Builder::new().cloudwatch_namespace(namespace);
        let builder = builder.with_dimension(SERVICE_DIMENSION, crate::logging::service());
        match builder.init() {
            Ok(collector) => Some(collector),
            Err(err) => {
                tracing::warn!(error = %err, "metrics are off: the recorder could not be installed");
                None
            }
        }
    });
}

/// The dimension every metric of this process carries: the service (bounded context).
pub const SERVICE_DIMENSION: &str = "Service";

/// Adds `value` to the counter `name` (no unit: a count of things, or a sum such as an
/// amount of money in its smallest unit).
pub fn count(name: &'static str, value: u64) {
    metrics::counter!(name).increment(value);
}

/// Records one duration of `name`, in milliseconds (unit `Milliseconds`); a negative
/// duration (clocks apart) is recorded as 0.
pub fn milliseconds(name: &'static str, duration: chrono::TimeDelta) {
    metrics::describe_histogram!(name, metrics::Unit::Milliseconds, "");
    // An f64 holds every millisecond count below 2^53 exactly (285,000 years).
    #[allow(clippy::cast_precision_loss)]
    metrics::histogram!(name).record(duration.num_milliseconds().max(0) as f64);
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
    /// The recorder is one per process and tests run in parallel: each test holds this lock
    /// and drains what an earlier test left before it records.
    static RECORDER: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn exclusive_recorder() -> std::sync::MutexGuard<'static, ()> {
        let guard = RECORDER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        super::init();
        super::flush_to(std::io::sink()).unwrap();
        guard
    }

    #[test]
    fn what_is_recorded_is_flushed_once_as_an_emf_document() {
        let _recorder = exclusive_recorder();
        metrics::counter!("TestThings", "kind" => "blue").increment(2);
        let mut out = Vec::new();
        super::flush_to(&mut out).unwrap();
        let line = String::from_utf8(out).unwrap();
        let document: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
        assert_eq!(document["_aws"]["CloudWatchMetrics"][0]["Namespace"], super::DEFAULT_NAMESPACE);
        assert_eq!(document["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"], "TestThings");
        assert_eq!(document["TestThings"], 2);
        assert_eq!(document["kind"], "blue");
        assert_eq!(document[super::SERVICE_DIMENSION], crate::logging::service());
        let dimensions = &document["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0];
        assert!(dimensions.as_array().unwrap().iter().any(|d| d == super::SERVICE_DIMENSION), "{dimensions}");
        let mut again = Vec::new();
        super::flush_to(&mut again).unwrap();
        assert!(again.is_empty(), "a counter is flushed once: {}", String::from_utf8_lossy(&again));
    }

    #[test]
    fn a_duration_is_recorded_in_milliseconds_and_a_count_as_a_counter() {
        let _recorder = exclusive_recorder();
        super::milliseconds("TestWait", chrono::TimeDelta::milliseconds(1500));
        super::milliseconds("TestWait", chrono::TimeDelta::milliseconds(-3));
        super::count("TestSum", 4500);
        let mut out = Vec::new();
        super::flush_to(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let documents: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let wait = documents.iter().find(|d| d.get("TestWait").is_some()).expect("a TestWait document");
        assert_eq!(wait["TestWait"], serde_json::json!([1500.0, 0.0]));
        let units: Vec<_> = wait["_aws"]["CloudWatchMetrics"][0]["Metrics"].as_array().unwrap().clone();
        assert!(units.iter().any(|m| m["Name"] == "TestWait" && m["Unit"] == "Milliseconds"), "{units:?}");
        assert!(documents.iter().any(|d| d["TestSum"] == 4500), "{text}");
    }
}
