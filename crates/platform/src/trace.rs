//! The X-Ray trace context, carried across every hop of an event-driven flow.
//!
//! Lambda (with `Tracing: Active`) gives each invocation a trace header,
//! `Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>`, in the runtime's
//! `Lambda-Runtime-Trace-Id` (the runtime copies it to `_X_AMZN_TRACE_ID` and to
//! `Context::xray_trace_id`). A domain event remembers the header of the invocation that
//! wrote it ([`crate::envelope::EventEnvelope::trace_header`]); the relay publishes it with
//! that header ([`crate::relay`]), SNS passes it on to each SQS subscription as the message's
//! `AWSTraceHeader` system attribute, and Lambda starts the consumer's invocation from it.
//! So one flow, from the HTTP request to the last notification, stays one X-Ray trace even
//! though a DynamoDB stream (which carries no trace) sits between a command and its relay.
//!
//! [`current`] is the header an event written now belongs to: the one set by [`scope`]
//! for the work in progress (the consumed event's, while a consumer handles it), else the
//! invocation's (`_X_AMZN_TRACE_ID`), else none (outside Lambda, or untraced).

use std::future::Future;

/// The environment variable the Lambda runtime sets to the current invocation's header.
pub const TRACE_ENV: &str = "_X_AMZN_TRACE_ID";

/// The HTTP header of an AWS API request that carries the caller's trace header; SNS
/// `Publish` takes its trace context from it (the API has no system attributes, unlike SQS
/// `SendMessage`).
pub const TRACE_HTTP_HEADER: &str = "X-Amzn-Trace-Id";

/// The SQS message system attribute holding the trace header of the message's producer.
pub const SQS_TRACE_ATTRIBUTE: &str = "AWSTraceHeader";

tokio::task_local! {
    static CURRENT: Option<String>;
}

/// The trace header events written now belong to: [`scope`]'s, else `_X_AMZN_TRACE_ID`'s;
/// `None` when neither holds a header with a valid `Root`.
pub fn current() -> Option<String> {
    let scoped = CURRENT.try_with(Clone::clone).ok().flatten();
    scoped.or_else(|| std::env::var(TRACE_ENV).ok()).filter(|header| root(header).is_some())
}

/// Runs `work` with `header` as the [`current`] trace header (when it is `Some` and has a
/// valid `Root`; otherwise the invocation's stays current).
pub async fn scope<F: Future>(header: Option<String>, work: F) -> F::Output {
    match header.filter(|header| root(header).is_some()) {
        Some(header) => CURRENT.scope(Some(header), work).await,
        None => work.await,
    }
}

/// The `Root` of a trace header (`1-5759e988-bd862e3fe1be46a994272793`), when it has a
/// well-formed one: version `1`, 8 hex digits of epoch seconds, 24 hex digits.
pub fn root(header: &str) -> Option<&str> {
    let value = header.split(';').find_map(|part| part.trim().strip_prefix("Root="))?;
    let mut pieces = value.split('-');
    let well_formed = pieces.next() == Some("1")
        && pieces.next().is_some_and(|time| time.len() == 8 && time.bytes().all(|b| b.is_ascii_hexdigit()))
        && pieces.next().is_some_and(|id| id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        && pieces.next().is_none();
    well_formed.then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    #[test]
    fn the_root_is_read_from_a_well_formed_header_only() {
        assert_eq!(root(HEADER), Some("1-5759e988-bd862e3fe1be46a994272793"));
        assert_eq!(root("Parent=53995c3f42cd8ad8; Root=1-5759e988-bd862e3fe1be46a994272793"), root(HEADER));
        for bad in ["", "Root=", "Root=1-abc", "Root=2-5759e988-bd862e3fe1be46a994272793", "Root=1-5759e988-xyz"] {
            assert_eq!(root(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn a_scope_sets_the_current_header_for_its_work_only() {
        let other = "Root=1-00000001-000000000000000000000001;Sampled=0".to_owned();
        let inside = scope(Some(HEADER.to_owned()), async { current() }).await;
        assert_eq!(inside.as_deref(), Some(HEADER));
        let nested = scope(Some(HEADER.to_owned()), scope(Some(other.clone()), async { current() })).await;
        assert_eq!(nested, Some(other));
        // A malformed header does not replace the current one.
        let kept = scope(Some(HEADER.to_owned()), scope(Some("junk".to_owned()), async { current() })).await;
        assert_eq!(kept.as_deref(), Some(HEADER));
    }
}
