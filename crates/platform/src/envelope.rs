//! The domain-event envelope every context publishes and consumes.
//!
//! Wire shape (JSON, camelCase), the SNS message body and the outbox item's `event`:
//!
//! ```json
//! { "id": "0192...", "type": "MemberJoined", "version": 1, "source": "member",
//!   "correlationId": "0192...", "causationId": null, "occurredAt": "2026-11-21T05:00:00Z",
//!   "data": { ... } }
//! ```
//!
//! `id` is unique per event and is what consumers deduplicate on; `correlationId` is the
//! id of the business flow's aggregate (say, the id of what was created) and travels
//! through every hop;
//! `causationId` is the id of the event that caused this one, if any; `traceHeader`, when
//! present, is the X-Ray trace header of the invocation that wrote the event
//! (`Root=1-...;Parent=...;Sampled=1`, [`crate::trace`]), which the relay publishes with so
//! SNS, SQS and the consumers continue the same trace. Envelopes written without one (before
//! tracing, or outside Lambda) have no `traceHeader` key and still parse.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A domain event with its metadata. `data` is the event-specific payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventEnvelope {
    /// Unique event id (UUID v7); the idempotency key of every consumer.
    pub id: String,
    /// Event type, e.g. `OrderPlaced`; SNS filter policies match on it.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Schema version of `data` for this type, starting at 1.
    pub version: u32,
    /// The bounded context that emitted the event, e.g. `member`.
    pub source: String,
    /// The business flow this event belongs to (its aggregate's id).
    pub correlation_id: String,
    /// The id of the event that caused this one, when an event handler emitted it.
    pub causation_id: Option<String>,
    /// When the fact happened, RFC 3339 UTC.
    #[serde(with = "rfc3339")]
    pub occurred_at: DateTime<Utc>,
    /// Event-specific payload.
    pub data: serde_json::Value,
    /// The X-Ray trace header (`Root=...;Parent=...;Sampled=...`) of the invocation that
    /// wrote the event ([`crate::trace::current`] when it was made); absent (`None`, no key
    /// on the wire) when it ran untraced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_header: Option<String>,
}

/// A type that can travel as a domain event's `data`.
pub trait DomainEvent: Serialize {
    /// The envelope's `type`.
    const TYPE: &'static str;
    /// The envelope's `version`.
    const VERSION: u32 = 1;
}

impl EventEnvelope {
    /// Wraps `data` in a new envelope with a fresh id, stamped now, in the current trace
    /// ([`crate::trace::current`]).
    ///
    /// # Errors
    /// Only if `data` cannot be serialized to JSON (a map with non-string keys, say).
    pub fn new<E: DomainEvent>(
        source: &str,
        correlation_id: &str,
        causation_id: Option<&str>,
        data: &E,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self {
            id: uuid::Uuid::now_v7().to_string(),
            event_type: E::TYPE.to_owned(),
            version: E::VERSION,
            source: source.to_owned(),
            correlation_id: correlation_id.to_owned(),
            causation_id: causation_id.map(str::to_owned),
            // Milliseconds, as on the wire, so an envelope equals its own round trip.
            occurred_at: Utc::now().trunc_subsecs(3),
            data: serde_json::to_value(data)?,
            trace_header: crate::trace::current(),
        })
    }

    /// Wraps one event of a topic's event enum, an adjacently tagged enum
    /// (`#[serde(tag = "type", content = "data")]`) whose tag is the envelope's `type` and
    /// whose content is its `data`; stamped now, in the current trace.
    ///
    /// # Panics
    /// Never for a derived enum of plain structs; a hand-written `Serialize` that fails, or
    /// an enum that is not adjacently tagged, is a programming error.
    pub fn wrap<T: Serialize>(source: &str, correlation_id: &str, causation_id: Option<&str>, event: &T) -> Self {
        let tagged = serde_json::to_value(event).expect("a domain event enum serializes");
        let event_type = tagged["type"].as_str().expect("the enum is tagged `type`").to_owned();
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            event_type,
            version: 1,
            source: source.to_owned(),
            correlation_id: correlation_id.to_owned(),
            causation_id: causation_id.map(str::to_owned),
            occurred_at: Utc::now().trunc_subsecs(3),
            data: tagged["data"].clone(),
            trace_header: crate::trace::current(),
        }
    }

    /// Reads the envelope as one event of a topic's event enum (adjacently tagged
    /// `type`/`data`, as for [`EventEnvelope::wrap`]).
    ///
    /// # Errors
    /// When the type is not one of the enum's, or the data does not match it.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(serde_json::json!({ "type": self.event_type, "data": self.data }))
    }

    /// Serializes the envelope to its JSON wire form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an envelope of JSON values always serializes")
    }
}

mod rfc3339 {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text).map(|at| at.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Greeted {
        customer_id: String,
    }
    impl DomainEvent for Greeted {
        const TYPE: &'static str = "Greeted";
    }

    #[test]
    fn the_envelope_has_the_documented_wire_shape_and_round_trips() {
        let event = Greeted { customer_id: "c-1".into() };
        let envelope = EventEnvelope::new("member", "c-1", None, &event).unwrap();
        let json: serde_json::Value = serde_json::from_str(&envelope.to_json()).unwrap();
        for key in ["id", "type", "version", "source", "correlationId", "causationId", "occurredAt", "data"] {
            assert!(json.get(key).is_some(), "missing {key} in {json}");
        }
        assert_eq!(json["type"], "Greeted");
        assert_eq!(json["data"]["customerId"], "c-1");
        assert!(json["occurredAt"].as_str().unwrap().ends_with('Z'));
        let back: EventEnvelope = serde_json::from_value(json).unwrap();
        assert_eq!(back, envelope);
    }

    const HEADER: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    #[tokio::test]
    async fn an_envelope_carries_the_trace_it_was_written_in_and_round_trips_with_it() {
        let event = Greeted { customer_id: "c-1".into() };
        let envelope = crate::trace::scope(Some(HEADER.into()), async {
            EventEnvelope::new("member", "c-1", Some("e-0"), &event)
        })
        .await
        .unwrap();
        assert_eq!(envelope.trace_header.as_deref(), Some(HEADER));
        let json: serde_json::Value = serde_json::from_str(&envelope.to_json()).unwrap();
        assert_eq!(json["traceHeader"], HEADER);
        assert_eq!(json["causationId"], "e-0");
        let back: EventEnvelope = serde_json::from_value(json).unwrap();
        assert_eq!(back, envelope);
        let wrapped = crate::trace::scope(Some(HEADER.into()), async {
            EventEnvelope::wrap("x", "c-1", None, &Events::Left { at: 1 })
        })
        .await;
        assert_eq!(wrapped.trace_header.as_deref(), Some(HEADER));
    }

    #[test]
    fn an_envelope_without_a_trace_header_still_parses_and_writes_no_key() {
        let old = serde_json::json!({
            "id": "e1", "type": "Greeted", "version": 1, "source": "member", "correlationId": "c-1",
            "causationId": null, "occurredAt": "2026-11-21T05:00:00.000Z", "data": { "customerId": "c-1" }
        });
        let envelope: EventEnvelope = serde_json::from_value(old.clone()).unwrap();
        assert_eq!(envelope.trace_header, None);
        assert_eq!(serde_json::to_value(&envelope).unwrap(), old, "no traceHeader key when there is none");
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type", content = "data")]
    enum Events {
        Greeted(Hello),
        Left { at: u32 },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Hello {
        customer_id: String,
    }

    #[test]
    fn an_event_enum_wraps_and_decodes_by_its_type() {
        let envelope =
            EventEnvelope::wrap("x", "c-1", Some("e-0"), &Events::Greeted(Hello { customer_id: "c-1".into() }));
        assert_eq!(envelope.event_type, "Greeted");
        assert_eq!(envelope.data, serde_json::json!({ "customerId": "c-1" }));
        assert_eq!(envelope.causation_id.as_deref(), Some("e-0"));
        assert_eq!(envelope.decode::<Events>().unwrap(), Events::Greeted(Hello { customer_id: "c-1".into() }));
        let mut other = envelope.clone();
        other.event_type = "Unknown".into();
        assert!(other.decode::<Events>().is_err());
        assert_eq!(
            EventEnvelope::wrap("x", "c", None, &Events::Left { at: 3 }).decode::<Events>().unwrap(),
            Events::Left { at: 3 }
        );
    }
}
