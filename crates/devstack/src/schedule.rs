//! `Schedule` and `ScheduleV2` event sources: the function is invoked at the template's
//! rate with the event EventBridge delivers for a scheduled rule, e.g.
//!
//! ```json
//! {"version": "0", "id": "<uuid>", "detail-type": "Scheduled Event", "source": "aws.events",
//!  "account": "000000000000", "time": "2026-11-21T05:30:00Z", "region": "us-east-1",
//!  "resources": ["arn:aws:events:us-east-1:000000000000:rule/<function name>-<event name>"],
//!  "detail": {}}
//! ```
//!
//! or with the event's `Input` (a JSON text) instead, when it has one.
//!
//! - Expressions: `rate(N minute|minutes|hour|hours|day|days)`, as AWS accepts them, and,
//!   as a local extension for tests, `rate(N second|seconds)` (AWS refuses those; a
//!   template that deploys uses minutes, and a test overrides the rate through a template
//!   parameter). `cron(...)` and `at(...)` are not emulated: the stack refuses to start.
//! - The first run is one period after the stack starts, as for a new rule; runs do not
//!   overlap (a slow run delays the next one).
//! - `Enabled: false` (`Schedule`) or `State: DISABLED` (both) keep it from running.
//! - EventBridge invokes asynchronously and Lambda retries a failed asynchronous
//!   invocation twice; here a failed run is logged and the next run is the retry.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use axum::body::Bytes;
use serde_json::{Value, json};

use crate::emulators::REGION;
use crate::lambda::{Function, Outcome};
use crate::template::ACCOUNT_ID;

/// A `Schedule` or `ScheduleV2` event source of a function.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleSource {
    /// `<function logical id>.<event name>`.
    pub id: String,
    /// ARN of the rule (or schedule) named in the event's `resources`.
    pub rule_arn: String,
    /// Time between runs.
    pub rate: Duration,
    /// Whether it runs (`Enabled`, `State`).
    pub enabled: bool,
    /// The event's `Input`, sent instead of the scheduled event when given.
    pub input: Option<Value>,
}

impl ScheduleSource {
    /// Reads a `Schedule` (`schedule_v2` false) or `ScheduleV2` event's resolved
    /// properties; `function_name` is the function's physical name.
    ///
    /// # Errors
    /// When the expression is missing or not a rate this stack emulates, or `Input` is not
    /// JSON.
    pub fn from_properties(
        id: String,
        function_name: &str,
        event_name: &str,
        properties: &Value,
        schedule_v2: bool,
    ) -> anyhow::Result<Self> {
        let expression_key = if schedule_v2 { "ScheduleExpression" } else { "Schedule" };
        let expression = properties[expression_key].as_str().ok_or_else(|| anyhow!("{expression_key} is required"))?;
        let rate = parse_rate(expression)?;
        let enabled = properties["Enabled"] != json!(false)
            && !properties["State"].as_str().is_some_and(|s| s.eq_ignore_ascii_case("DISABLED"));
        let input = match &properties["Input"] {
            Value::Null => None,
            Value::String(text) => Some(serde_json::from_str(text).context("Input is not JSON")?),
            other => Some(other.clone()),
        };
        let resource = if schedule_v2 { "schedule/default" } else { "rule" };
        let rule_arn =
            format!("arn:aws:{}:{REGION}:{ACCOUNT_ID}:{resource}/{function_name}-{event_name}", service(schedule_v2));
        Ok(Self { id, rule_arn, rate, enabled, input })
    }

    /// The payload of one run at `time`.
    pub fn event(&self, time: chrono::DateTime<chrono::Utc>) -> Value {
        if let Some(input) = &self.input {
            return input.clone();
        }
        json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "region": REGION,
            "resources": [self.rule_arn],
            "detail": {},
        })
    }
}

fn service(schedule_v2: bool) -> &'static str {
    if schedule_v2 { "scheduler" } else { "events" }
}

/// The period of `rate(N unit)`; units are minutes, hours and days as on AWS, and seconds
/// as a local extension.
///
/// # Errors
/// When the expression is not such a rate (a `cron(...)` among others), or N is not a
/// positive whole number, or the unit's plural does not agree with N (AWS refuses
/// `rate(1 minutes)` and `rate(5 minute)`).
pub fn parse_rate(expression: &str) -> anyhow::Result<Duration> {
    let Some(inner) = expression.trim().strip_prefix("rate(").and_then(|rest| rest.strip_suffix(')')) else {
        bail!("schedule {expression:?}: only rate(...) expressions are emulated");
    };
    let mut words = inner.split_whitespace();
    let (Some(value), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        bail!("schedule {expression:?}: expected rate(<value> <unit>)");
    };
    let value: u64 =
        value.parse().with_context(|| format!("schedule {expression:?}: {value} is not a whole number"))?;
    if value == 0 {
        bail!("schedule {expression:?}: the value must be positive");
    }
    let (singular, seconds) = match unit.trim_end_matches('s') {
        "second" => ("second", 1),
        "minute" => ("minute", 60),
        "hour" => ("hour", 3_600),
        "day" => ("day", 86_400),
        _ => bail!("schedule {expression:?}: unit {unit} is not seconds, minutes, hours or days"),
    };
    let expected = if value == 1 { singular.to_owned() } else { format!("{singular}s") };
    if unit != expected {
        bail!("schedule {expression:?}: use {value} {expected}");
    }
    Ok(Duration::from_secs(value.saturating_mul(seconds)))
}

/// Invokes `function` at `schedule`'s rate until the task is dropped.
pub async fn run(schedule: ScheduleSource, function: Arc<Function>) {
    if !schedule.enabled {
        return;
    }
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + schedule.rate, schedule.rate);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let event = schedule.event(chrono::Utc::now());
        let context = crate::trace::InvocationContext::schedule(&schedule.id);
        let invocation = function.invoke_traced(Bytes::from(event.to_string()), context).await;
        if let Outcome::Error(error) = &invocation.outcome {
            tracing::warn!(schedule = %schedule.id, %error, "scheduled invocation failed; the next run retries");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_as_aws_spells_them_plus_seconds() {
        assert_eq!(parse_rate("rate(1 minute)").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_rate("rate(5 minutes)").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_rate("rate(2 hours)").unwrap(), Duration::from_secs(7_200));
        assert_eq!(parse_rate("rate(1 day)").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_rate("rate(1 second)").unwrap(), Duration::from_secs(1));
        assert_eq!(parse_rate("rate(3 seconds)").unwrap(), Duration::from_secs(3));
        for refused in [
            "rate(1 minutes)",
            "rate(5 minute)",
            "rate(0 minutes)",
            "rate(x minutes)",
            "rate(1 week)",
            "cron(0 12 * * ? *)",
            "rate(1)",
            "rate 1 minute",
        ] {
            assert!(parse_rate(refused).is_err(), "{refused} was accepted");
        }
    }

    #[test]
    fn a_schedule_sends_a_scheduled_event_or_its_input() {
        let source = ScheduleSource::from_properties(
            "F.Tick".to_owned(),
            "test-F",
            "Tick",
            &json!({ "Schedule": "rate(1 minute)" }),
            false,
        )
        .unwrap();
        assert!(source.enabled);
        let time = chrono::DateTime::parse_from_rfc3339("2026-11-21T05:30:00Z").unwrap().to_utc();
        let event = source.event(time);
        assert_eq!(event["detail-type"], "Scheduled Event");
        assert_eq!(event["source"], "aws.events");
        assert_eq!(event["time"], "2026-11-21T05:30:00Z");
        assert_eq!(event["resources"], json!([format!("arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/test-F-Tick")]));

        let v2 = ScheduleSource::from_properties(
            "F.Tick".to_owned(),
            "test-F",
            "Tick",
            &json!({ "ScheduleExpression": "rate(2 minutes)", "State": "DISABLED", "Input": "{\"a\": 1}" }),
            true,
        )
        .unwrap();
        assert!(!v2.enabled);
        assert_eq!(v2.rate, Duration::from_secs(120));
        assert_eq!(v2.event(time), json!({ "a": 1 }));
    }
}
