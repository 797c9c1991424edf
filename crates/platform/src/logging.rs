//! Structured logs: every line a JSON object.
//!
//! [`init`] installs a `tracing-subscriber` whose lines are JSON objects with the event's
//! fields and the fields of every span it happens in, flattened to the top level:
//!
//! ```json
//! {"timestamp":"2026-11-21T05:00:00.123456Z","level":"INFO","target":"things::application",
//!  "message":"thing made","service":"things","function":"shop-MakeThingFunction",
//!  "request_id":"8f1c...","cold_start":true,"correlation_id":"0192...","size":3}
//! ```
//!
//! - `service` (the bounded context: `SERVICE_NAME` when set, else the crate of the
//!   function's configuration type, see [`crate::lambda::start`]), `function`
//!   (`AWS_LAMBDA_FUNCTION_NAME`), `request_id` (the invocation's `aws_request_id`),
//!   `cold_start` (true on the first invocation of the process) and `trace_id` (the X-Ray
//!   trace id, when Lambda gives one) come from the invocation span that every serve helper
//!   of [`crate::lambda`] opens ([`invocation_span`]);
//! - `correlation_id` comes from the innermost span that has one: the event envelope's (the
//!   inbox and relay open a span per event), or the HTTP request's `x-correlation-id` header,
//!   else its API Gateway request id; use cases record the aggregate's id when they learn it;
//! - a span's field overrides an outer span's field of the same name, an event's field
//!   overrides them all. The Lambda runtime's own span (`Lambda runtime invoke`, whose
//!   `requestId` the invocation span repeats as `request_id`) is left out.
//!
//! The level is `AWS_LAMBDA_LOG_LEVEL` (Lambda's advanced logging controls) or `RUST_LOG`
//! (both take `EnvFilter` directives), `info` by default.

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, prelude::*};

/// The name of the span the Lambda runtime opens around each invocation (left out of lines).
const RUNTIME_SPAN: &str = "Lambda runtime invoke";

static SERVICE: OnceLock<String> = OnceLock::new();
static COLD: AtomicBool = AtomicBool::new(true);

/// Installs the process-wide subscriber writing JSON lines to stdout. Call once, first
/// thing in `main` ([`crate::lambda::start`] does); later calls do nothing.
pub fn init() {
    let filter = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .map(|directives| EnvFilter::builder().parse_lossy(directives.to_ascii_lowercase()))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::registry().with(filter).with(layer(std::io::stdout)).try_init();
}

/// The formatting layer of [`init`], writing to `writer` (tests capture lines with it).
pub fn layer<S, W>(writer: W) -> impl tracing_subscriber::Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt::layer().fmt_fields(JsonFields::new()).event_format(FlatJson).with_writer(writer)
}

/// Sets the `service` of this process's lines (first call wins).
pub fn set_service(name: &str) {
    let _ = SERVICE.set(name.to_owned());
}

/// The `service` of this process's lines: `SERVICE_NAME`, else what [`set_service`] set,
/// else `unknown`.
pub fn service() -> &'static str {
    SERVICE.get_or_init(|| std::env::var("SERVICE_NAME").unwrap_or_else(|_| "unknown".to_owned()))
}

/// The function's name (`AWS_LAMBDA_FUNCTION_NAME`; empty outside Lambda).
pub fn function_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default())
}

/// Whether this is the process's first invocation: true once, then false.
pub fn take_cold_start() -> bool {
    COLD.swap(false, Ordering::SeqCst)
}

/// The span of one invocation: `service`, `function`, `request_id`, `cold_start` (true
/// for the process's first invocation only), `trace_id` when given, and an empty
/// `correlation_id` to record when it is known.
pub fn invocation_span(request_id: &str, trace_id: Option<&str>) -> tracing::Span {
    tracing::info_span!(
        "invocation",
        service = service(),
        function = function_name(),
        request_id,
        cold_start = take_cold_start(),
        trace_id,
        correlation_id = tracing::field::Empty,
    )
}

/// One JSON object per event: timestamp, level, target, message, then the span fields
/// (outermost first) and the event's own fields, flattened.
struct FlatJson;

impl<S, N> FormatEvent<S, N> for FlatJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut line = Map::new();
        line.insert(
            "timestamp".to_owned(),
            Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        );
        line.insert("level".to_owned(), Value::String(event.metadata().level().to_string()));
        line.insert("target".to_owned(), Value::String(event.metadata().target().to_owned()));
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                if span.name() == RUNTIME_SPAN {
                    continue;
                }
                let extensions = span.extensions();
                let Some(fields) = extensions.get::<FormattedFields<N>>() else { continue };
                if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(fields.as_str()) {
                    line.extend(fields);
                }
            }
        }
        let mut visitor = Fields(Map::new());
        event.record(&mut visitor);
        line.extend(visitor.0);
        let text = serde_json::to_string(&Value::Object(line)).map_err(|_| fmt::Error)?;
        writeln!(writer, "{text}")
    }
}

/// Collects an event's fields as JSON values.
struct Fields(Map<String, Value>);

impl tracing::field::Visit for Fields {
    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        self.0.insert(field.name().to_owned(), serde_json::json!(value));
    }
    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), Value::String(format!("{value:?}")));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Captures written lines.
    #[derive(Clone, Default)]
    pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        pub(crate) fn lines(&self) -> Vec<Value> {
            let bytes = self.0.lock().unwrap().clone();
            String::from_utf8(bytes).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect()
        }
    }

    /// The service of every line the tests capture: the process-wide service is set once, by
    /// whichever test captures first (tests run in any order, in parallel).
    pub(crate) const SERVICE_IN_TESTS: &str = "things";

    /// Runs `body` with the JSON layer writing to a capture; returns the lines as JSON.
    pub(crate) fn capture(body: impl FnOnce()) -> Vec<Value> {
        set_service(SERVICE_IN_TESTS);
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::registry().with(layer(move || writer.clone()));
        tracing::subscriber::with_default(subscriber, body);
        captured.lines()
    }

    #[test]
    fn every_line_is_json_with_the_invocation_and_correlation_fields_at_the_top_level() {
        let lines = capture(|| {
            let runtime = tracing::info_span!("Lambda runtime invoke", requestId = "req-1");
            let _runtime = runtime.enter();
            let first = invocation_span("req-1", Some("Root=1-abc"));
            first.in_scope(|| {
                tracing::info!(amount = 9000, "first");
                let event = tracing::info_span!("event", correlation_id = "c-42");
                event.in_scope(|| tracing::warn!("inside an event"));
            });
            let second = invocation_span("req-2", None);
            second.record("correlation_id", "c-7");
            second.in_scope(|| tracing::info!("second"));
        });
        assert_eq!(lines.len(), 3, "{lines:?}");
        let first = &lines[0];
        assert_eq!(first["message"], "first");
        assert_eq!(first["level"], "INFO");
        assert!(chrono::DateTime::parse_from_rfc3339(first["timestamp"].as_str().unwrap()).is_ok(), "{first}");
        assert_eq!(first["service"], SERVICE_IN_TESTS);
        assert_eq!(first["function"], function_name());
        assert_eq!(first["request_id"], "req-1");
        assert_eq!(first["trace_id"], "Root=1-abc");
        assert_eq!(first["amount"], 9000);
        assert!(first.get("requestId").is_none(), "the runtime's span is left out: {first}");
        assert!(first.get("correlation_id").is_none(), "an unrecorded field is absent: {first}");
        assert_eq!(lines[1]["correlation_id"], "c-42");
        assert_eq!(lines[1]["level"], "WARN");
        assert_eq!(lines[1]["request_id"], "req-1");
        assert_eq!(lines[2]["request_id"], "req-2");
        assert_eq!(lines[2]["correlation_id"], "c-7");
        // Only the process's first invocation is a cold start (this test opens the first).
        assert_eq!(first["cold_start"], true);
        assert_eq!(lines[2]["cold_start"], false);
    }
}
