//! Traces: each invocation runs in an X-Ray trace, as in Lambda with `Tracing: Active`, and
//! the stack keeps one [`Hop`] per invocation, so the path of one business flow can be
//! followed across functions, queues, streams and topics.
//!
//! - **The trace header** (`Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=1`)
//!   reaches the function as Lambda gives it, in the Runtime API's `Lambda-Runtime-Trace-Id`
//!   (the runtime sets `_X_AMZN_TRACE_ID` from it): a new trace for an HTTP request, a
//!   schedule, a direct `Invoke` and a DynamoDB stream batch (a stream carries no trace); an
//!   SQS batch continues the trace of its first record's `AWSTraceHeader` attribute.
//! - **SNS to SQS**: a `Publish` request's `X-Amzn-Trace-Id` header (what the AWS SDK sends,
//!   from `_X_AMZN_TRACE_ID` or set by the caller) is given to every SQS message the publish
//!   fans out to, and the SQS event source mapping hands it to the consumer as the record's
//!   `attributes.AWSTraceHeader`, as SNS and SQS do ([`TracedSns`], [`TRACE_MESSAGE_ATTRIBUTE`]).
//! - **A hop** records the function, its trigger (`http` route, `sqs` queue, `stream` table,
//!   `schedule`, `invoke`), start, duration, outcome, the trace it belongs to and the
//!   correlation ids it carried: the request's `x-correlation-id` (else API Gateway's request
//!   id), or the `correlationId` of each event in the batch (an SNS notification's
//!   `MessageAttributes`, the event envelope in a message body or in a stream record's
//!   `event` attribute). A stream batch's hop belongs to the trace its first record's event
//!   carries (`traceHeader` in the envelope): the function itself starts a new trace, as on
//!   AWS, and what it publishes rejoins the event's.
//! - **A path** ([`path`], `GET /_devstack/traces/{correlationId}` on the control port): the
//!   hops that carried the correlation id, plus every hop in the same traces (a command's
//!   request carries the client's id, its events the aggregate's; the trace joins them), in
//!   time order, with the messages published in those traces between them. A hop whose batch
//!   mixed several flows is on each of their paths but names no trace: it belongs to its first
//!   record's, which may be another flow's.
//!
//! Memory is bounded: the hops are a [`crate::log::BoundedLog`] (the newest 10,000 by
//! default); a message's trace header travels with the message itself.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::observe::PublishedMessage;

/// The SQS message system attribute (and Lambda record attribute) with the trace header.
pub const SQS_TRACE_ATTRIBUTE: &str = "AWSTraceHeader";

/// The HTTP header of an AWS API request that carries the caller's trace header.
pub const TRACE_HTTP_HEADER: &str = "x-amzn-trace-id";

/// A new sampled trace header: a new `Root` (now, 96 random bits) and a new `Parent`.
pub fn new_header() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    let parent = &uuid::Uuid::new_v4().simple().to_string()[..16];
    format!("Root=1-{:08x}-{};Parent={parent};Sampled=1", Utc::now().timestamp(), &random[..24])
}

/// The `Root` of a trace header (`1-5759e988-bd862e3fe1be46a994272793`), when well formed.
pub fn root(header: &str) -> Option<&str> {
    let value = header.split(';').find_map(|part| part.trim().strip_prefix("Root="))?;
    let mut pieces = value.split('-');
    let hex = |text: &str, len: usize| text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit());
    let well_formed = pieces.next() == Some("1")
        && pieces.next().is_some_and(|time| hex(time, 8))
        && pieces.next().is_some_and(|id| hex(id, 24))
        && pieces.next().is_none();
    well_formed.then_some(value)
}

/// What invoked a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    /// `http`, `sqs`, `stream`, `schedule` or `invoke`.
    pub kind: String,
    /// The route key (`POST /things`), the queue's or table's name, the schedule's event
    /// name; empty for a direct invoke.
    pub source: String,
}

/// How one invocation is traced: its trigger, the header the function gets, the trace the
/// hop belongs to and the correlation ids it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvocationContext {
    /// What invoked the function.
    pub trigger: Trigger,
    /// The header given in `Lambda-Runtime-Trace-Id`.
    pub trace_header: String,
    /// The header of the trace the hop belongs to, when not the invocation's own (a
    /// stream batch's: the one its first record's event carries).
    pub continues: Option<String>,
    /// The correlation ids of the request or of the batch's events, without repeats.
    pub correlation_ids: Vec<String>,
}

impl InvocationContext {
    /// A direct `Invoke` (the Lambda API, `devstack invoke`): a new trace.
    pub fn invoke() -> Self {
        Self::invoked_by(None)
    }

    /// An `Invoke` request whose `X-Amzn-Trace-Id` header is `caller` (what the AWS SDK
    /// sends from a traced function): it continues the caller's trace, as Lambda does, or
    /// starts a new one without a valid header.
    pub fn invoked_by(caller: Option<&str>) -> Self {
        let header = caller.filter(|h| root(h).is_some()).map_or_else(new_header, str::to_owned);
        Self::new("invoke", "", header, Vec::new())
    }

    /// A scheduled run of event `id`: a new trace.
    pub fn schedule(id: &str) -> Self {
        Self::new("schedule", id, new_header(), Vec::new())
    }

    /// An HTTP API request on `route_key`: a new trace; its correlation id is the
    /// `x-correlation-id` header when given, else API Gateway's `request_id`.
    pub fn http(route_key: &str, correlation_header: Option<&str>, request_id: &str) -> Self {
        let correlation = correlation_header.filter(|c| !c.is_empty()).unwrap_or(request_id);
        Self::new("http", route_key, new_header(), vec![correlation.to_owned()])
    }

    /// A batch of SQS `records` (Lambda's shape) from `queue`: the trace of the first
    /// record's `attributes.AWSTraceHeader`, else a new one.
    pub fn sqs(queue: &str, records: &[Value]) -> Self {
        let header = records
            .iter()
            .find_map(|r| r["attributes"][SQS_TRACE_ATTRIBUTE].as_str().filter(|h| root(h).is_some()))
            .map_or_else(new_header, str::to_owned);
        let ids = records.iter().filter_map(sqs_correlation).collect();
        Self::new("sqs", queue, header, ids)
    }

    /// A batch of DynamoDB stream `records` of `table`: a new trace for the function; the
    /// hop belongs to the trace of the first record's event (its envelope's `traceHeader`).
    pub fn stream(table: &str, records: &[Value]) -> Self {
        let events: Vec<Value> = records.iter().filter_map(stream_event).collect();
        let ids = records
            .iter()
            .filter_map(|r| {
                let image = &r["dynamodb"]["NewImage"];
                stream_event(r)
                    .and_then(|e| e["correlationId"].as_str().map(str::to_owned))
                    .or_else(|| image["correlationId"]["S"].as_str().map(str::to_owned))
            })
            .collect();
        let mut context = Self::new("stream", table, new_header(), ids);
        context.continues =
            events.iter().find_map(|e| e["traceHeader"].as_str().filter(|h| root(h).is_some()).map(str::to_owned));
        context
    }

    fn new(kind: &str, source: &str, trace_header: String, ids: Vec<String>) -> Self {
        let mut correlation_ids: Vec<String> = Vec::new();
        for id in ids {
            if !correlation_ids.contains(&id) {
                correlation_ids.push(id);
            }
        }
        Self {
            trigger: Trigger { kind: kind.to_owned(), source: source.to_owned() },
            trace_header,
            continues: None,
            correlation_ids,
        }
    }

    /// The `Root` of the trace the hop belongs to.
    pub fn trace_id(&self) -> String {
        let header = self.continues.as_deref().unwrap_or(&self.trace_header);
        root(header).unwrap_or_default().to_owned()
    }
}

/// The correlation id of one SQS record: its SNS notification's `correlationId` message
/// attribute, else the `correlationId` of the event envelope in its body.
fn sqs_correlation(record: &Value) -> Option<String> {
    let body: Value = serde_json::from_str(record["body"].as_str()?).ok()?;
    if let Some(id) = body["MessageAttributes"]["correlationId"]["Value"].as_str() {
        return Some(id.to_owned());
    }
    let event = match body["Message"].as_str() {
        Some(inner) => serde_json::from_str(inner).ok()?,
        None => body,
    };
    event["correlationId"].as_str().map(str::to_owned)
}

/// The event envelope in a stream record's `NewImage.event` (a JSON string), if any.
fn stream_event(record: &Value) -> Option<Value> {
    let text = record["dynamodb"]["NewImage"]["event"]["S"].as_str()?;
    serde_json::from_str(text).ok()
}

/// One invocation on the path of a flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hop {
    /// Function logical id.
    pub function: String,
    /// What invoked it.
    pub trigger: Trigger,
    /// When the function took the event (UTC).
    pub started_at: DateTime<Utc>,
    /// Milliseconds from the path's first hop to this one's start (0 in the hop log).
    pub start_offset_ms: f64,
    /// Duration in milliseconds.
    pub duration_ms: f64,
    /// `ok`, or `error: <errorType>` when the invocation failed.
    pub outcome: String,
    /// The `Root` of the X-Ray trace the hop belongs to.
    pub trace_id: String,
    /// The trace header the function was given.
    pub trace_header: String,
    /// The correlation ids it carried.
    pub correlation_ids: Vec<String>,
}

/// The hops of every invocation (the newest ones).
pub type HopLog = crate::log::BoundedLog<Hop>;

/// A message published on the path, between the hops.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathMessage {
    /// Logical id of the topic.
    pub topic: String,
    /// Its `eventType` attribute (or the envelope's `type`), if any.
    pub event_type: Option<String>,
    /// Its `correlationId` attribute (or the envelope's), if any.
    pub correlation_id: Option<String>,
    /// SNS timestamp, as SNS wrote it.
    pub published_at: String,
    /// Milliseconds from the path's first hop (`None` if the timestamp does not parse).
    pub offset_ms: Option<f64>,
    /// The `Root` of the trace it was published in (empty when the publish had none).
    pub trace_id: String,
}

/// The path of one correlation id, served at `GET /_devstack/traces/{correlationId}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TracePath {
    /// The correlation id asked for.
    pub correlation_id: String,
    /// The X-Ray trace roots the path spans (one, when every hop carried the trace on).
    pub trace_ids: Vec<String>,
    /// The hops, in the order they started.
    pub hops: Vec<Hop>,
    /// The messages published in those traces (or with that correlation id), in order.
    pub messages: Vec<PathMessage>,
}

/// The path of `correlation_id` in `hops` and `messages` (see the module docs).
pub fn path(correlation_id: &str, hops: &[Hop], messages: &[PublishedMessage]) -> TracePath {
    let messages: Vec<PathMessage> = messages.iter().map(path_message).collect();
    // A hop whose batch mixed several flows belongs to its first record's trace, which may be
    // another flow's: it is on the path, but only a hop of this flow alone names its trace.
    let mut roots: BTreeSet<String> =
        hops.iter().filter(|h| h.correlation_ids == [correlation_id]).map(|h| h.trace_id.clone()).collect();
    roots.extend(
        messages.iter().filter(|m| m.correlation_id.as_deref() == Some(correlation_id)).map(|m| m.trace_id.clone()),
    );
    roots.remove("");
    let mut on_path: Vec<Hop> = hops
        .iter()
        .filter(|h| roots.contains(&h.trace_id) || h.correlation_ids.iter().any(|c| c == correlation_id))
        .cloned()
        .collect();
    on_path.sort_by_key(|h| h.started_at);
    let first = on_path.first().map(|h| h.started_at);
    let offset =
        |at: DateTime<Utc>| first.map_or(0.0, |first| (at - first).num_microseconds().unwrap_or(0) as f64 / 1000.0);
    for hop in &mut on_path {
        hop.start_offset_ms = offset(hop.started_at);
    }
    let mut messages: Vec<PathMessage> = messages
        .into_iter()
        .filter(|m| roots.contains(&m.trace_id) || m.correlation_id.as_deref() == Some(correlation_id))
        .map(|mut m| {
            m.offset_ms = DateTime::parse_from_rfc3339(&m.published_at).ok().map(|at| offset(at.with_timezone(&Utc)));
            m
        })
        .collect();
    messages.sort_by(|a, b| a.offset_ms.unwrap_or(f64::MAX).total_cmp(&b.offset_ms.unwrap_or(f64::MAX)));
    TracePath {
        correlation_id: correlation_id.to_owned(),
        trace_ids: roots.into_iter().collect(),
        hops: on_path,
        messages,
    }
}

fn path_message(message: &PublishedMessage) -> PathMessage {
    let event: Value = serde_json::from_str(&message.message).unwrap_or(Value::Null);
    let attribute = |name: &str| message.attributes.get(name).and_then(Value::as_str).map(str::to_owned);
    PathMessage {
        topic: message.topic.clone(),
        event_type: attribute("eventType").or_else(|| event["type"].as_str().map(str::to_owned)),
        correlation_id: attribute("correlationId").or_else(|| event["correlationId"].as_str().map(str::to_owned)),
        published_at: message.timestamp.clone(),
        offset_ms: None,
        trace_id: message.trace_header.as_deref().and_then(root).unwrap_or_default().to_owned(),
    }
}

/// The SQS message attribute that holds, inside the embedded SQS (which keeps no system
/// attributes), the trace header SNS gave the message; the SQS event source mapping hands
/// it to the function as `attributes.AWSTraceHeader` instead, and leaves it out of
/// `messageAttributes`. Other readers of the queue (with `MessageAttributeNames: All`) see it.
pub const TRACE_MESSAGE_ATTRIBUTE: &str = "devstack.AWSTraceHeader";

/// The message attribute that carries `header` ([`TRACE_MESSAGE_ATTRIBUTE`]).
pub fn trace_attribute(header: &str) -> rustack_sqs_model::types::MessageAttributeValue {
    rustack_sqs_model::types::MessageAttributeValue {
        data_type: "String".to_owned(),
        string_value: Some(header.to_owned()),
        binary_value: None,
    }
}

/// The trace header a received message carries ([`TRACE_MESSAGE_ATTRIBUTE`]), if any.
pub fn trace_of(message: &rustack_sqs_model::types::Message) -> Option<String> {
    message.message_attributes.get(TRACE_MESSAGE_ATTRIBUTE).and_then(|value| value.string_value.clone())
}

tokio::task_local! {
    /// The trace header of the SNS request being handled (read by the SNS-to-SQS bridge,
    /// which runs inside the publish).
    static PUBLISH_TRACE: Option<String>;
}

/// The trace header of the SNS request being handled now, if it had a valid one.
pub fn publish_trace() -> Option<String> {
    PUBLISH_TRACE.try_with(Clone::clone).ok().flatten()
}

/// The SNS HTTP service, with each request's `X-Amzn-Trace-Id` made available to the
/// fan-out it causes ([`publish_trace`]).
#[derive(Clone)]
pub struct TracedSns<S> {
    inner: S,
}

impl<S> TracedSns<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Self { inner }
    }
}

impl<S, B, Resp> hyper::service::Service<http::Request<B>> for TracedSns<S>
where
    S: hyper::service::Service<http::Request<B>, Response = Resp, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Resp;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Resp, Infallible>> + Send>>;

    fn call(&self, request: http::Request<B>) -> Self::Future {
        let header = request
            .headers()
            .get(TRACE_HTTP_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|h| root(h).is_some())
            .map(str::to_owned);
        Box::pin(PUBLISH_TRACE.scope(header, self.inner.call(request)))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const HEADER: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    #[test]
    fn a_new_header_is_well_formed_and_new() {
        let (a, b) = (new_header(), new_header());
        assert!(root(&a).is_some(), "{a}");
        assert_ne!(root(&a), root(&b));
        assert!(a.ends_with(";Sampled=1"));
        assert_eq!(root(HEADER), Some("1-5759e988-bd862e3fe1be46a994272793"));
        assert_eq!(root("Root=1-x"), None);
    }

    #[test]
    fn an_sqs_batch_continues_its_first_record_s_trace_and_carries_its_events_correlation_ids() {
        let notification = json!({
            "Type": "Notification", "Message": "{\"correlationId\":\"c-2\"}",
            "MessageAttributes": { "correlationId": { "Type": "String", "Value": "c-1" } }
        });
        let records = [
            json!({ "body": notification.to_string(), "attributes": { "AWSTraceHeader": HEADER } }),
            json!({ "body": "{\"correlationId\":\"c-3\"}", "attributes": {} }),
            json!({ "body": "not json", "attributes": {} }),
        ];
        let context = InvocationContext::sqs("inbox", &records);
        assert_eq!(context.trace_header, HEADER);
        assert_eq!(context.trace_id(), "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(context.correlation_ids, ["c-1", "c-3"]);
        assert_eq!(context.trigger, Trigger { kind: "sqs".into(), source: "inbox".into() });
        let untraced = InvocationContext::sqs("inbox", &records[1..]);
        assert_ne!(untraced.trace_id(), context.trace_id(), "a new trace without AWSTraceHeader");
    }

    #[test]
    fn a_stream_batch_starts_a_trace_but_its_hop_belongs_to_its_event_s() {
        let event = json!({ "correlationId": "c-1", "traceHeader": HEADER }).to_string();
        let records = [json!({ "dynamodb": { "NewImage": { "event": { "S": event } } } })];
        let context = InvocationContext::stream("things", &records);
        assert_ne!(root(&context.trace_header), root(HEADER), "the function gets a new trace, as on AWS");
        assert_eq!(context.trace_id(), "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(context.correlation_ids, ["c-1"]);
        let http = InvocationContext::http("POST /things", None, "req-1");
        assert_eq!(http.correlation_ids, ["req-1"]);
        assert_eq!(InvocationContext::http("POST /things", Some("c-9"), "req-1").correlation_ids, ["c-9"]);
    }

    fn hop(function: &str, second: u32, trace: &str, ids: &[&str]) -> Hop {
        Hop {
            function: function.into(),
            trigger: Trigger { kind: "sqs".into(), source: String::new() },
            started_at: format!("2026-11-21T05:00:{second:02}Z").parse().unwrap(),
            start_offset_ms: 0.0,
            duration_ms: 5.0,
            outcome: "ok".into(),
            trace_id: trace.into(),
            trace_header: String::new(),
            correlation_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn a_path_joins_the_hops_of_a_correlation_id_and_of_its_traces_in_time_order() {
        let hops = [
            hop("Second", 3, "1-a", &["thing-1"]),
            hop("First", 1, "1-a", &["client-7"]),
            hop("Other", 2, "1-b", &["thing-2"]),
            hop("Third", 5, "1-a", &[]),
        ];
        let messages = [PublishedMessage {
            topic: "Topic".into(),
            message_id: "m".into(),
            subject: None,
            message: "{\"type\":\"Made\"}".into(),
            attributes: serde_json::Map::from_iter([("correlationId".to_owned(), json!("thing-1"))]),
            timestamp: "2026-11-21T05:00:04.000Z".into(),
            trace_header: Some("Root=1-5759e988-bd862e3fe1be46a994272793".into()),
        }];
        let path = path("client-7", &hops, &messages);
        let functions: Vec<&str> = path.hops.iter().map(|h| h.function.as_str()).collect();
        assert_eq!(functions, ["First", "Second", "Third"]);
        assert_eq!(path.trace_ids, ["1-a"]);
        assert_eq!(path.hops[1].start_offset_ms, 2000.0);
        assert!(path.messages.is_empty(), "a message of another trace and correlation is not on the path");
        let by_thing = super::path("thing-1", &hops, &messages);
        assert_eq!(by_thing.hops.len(), 3);
        assert_eq!(by_thing.messages.len(), 1);
        assert_eq!(by_thing.messages[0].event_type.as_deref(), Some("Made"));
        assert_eq!(by_thing.messages[0].offset_ms, Some(3000.0));
        assert!(super::path("nobody", &hops, &messages).hops.is_empty());
    }

    #[test]
    fn a_batch_that_mixed_two_flows_is_on_both_paths_without_joining_their_traces() {
        // A consumer got one event of each flow in one batch; the invocation continued the
        // first record's trace (flow b's).
        let hops = [
            hop("RequestA", 1, "1-a", &["a"]),
            hop("RequestB", 2, "1-b", &["b"]),
            hop("Mixed", 3, "1-b", &["b", "a"]),
            hop("AfterA", 4, "1-a", &["a"]),
        ];
        let path = path("a", &hops, &[]);
        assert_eq!(path.trace_ids, ["1-a"]);
        let functions: Vec<&str> = path.hops.iter().map(|h| h.function.as_str()).collect();
        assert_eq!(functions, ["RequestA", "Mixed", "AfterA"]);
        assert_eq!(super::path("b", &hops, &[]).trace_ids, ["1-b"]);
    }
}
