//! The harness every system's load replay (`src/bin/bench.rs`) shares: latency percentiles,
//! counts and "exactly once" lines, the runs given on the command line, letting a stack
//! settle after the load, queue depths, and writing the report to the system's
//! `docs/benchmarks.md`. What a system loads and counts stays in its own bench.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use devstack::System;
use serde_json::Value;

use crate::TestApp;

/// The `p`-th percentile (0-100) of `sorted` (ascending) by nearest rank:
/// `sorted[round(p / 100 * (len - 1))]`; `NaN` when `sorted` is empty. `p` = 100 is the maximum.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// How many times each value occurs, by value (sorted).
pub fn count(values: impl IntoIterator<Item = String>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    counts
}

/// The HTTP statuses answered, counted and written `"201: 950, 503: 12"` (sorted as text).
pub fn statuses(answered: impl IntoIterator<Item = u16>) -> String {
    count(answered.into_iter().map(|status| status.to_string()))
        .iter()
        .map(|(status, n)| format!("{status}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How well `counts` (effects by id) match `ids` (the ids that must have exactly one):
/// `"<exact> of <ids> exactly once, <more> more than once"`, where `<more>` counts every id of
/// `counts` seen more than once, in `ids` or not.
pub fn once(counts: &BTreeMap<String, usize>, ids: &HashSet<String>) -> String {
    let exact = ids.iter().filter(|id| counts.get(*id) == Some(&1)).count();
    let more = counts.values().filter(|n| **n > 1).count();
    format!("{exact} of {} exactly once, {more} more than once", ids.len())
}

/// The runs asked for, each `CLIENTS:SECONDS` (e.g. `150:60`), from `args` (the program's
/// arguments without its name), or `default` (the same form) when there are none.
///
/// # Errors
/// When a run is not two whole numbers joined by `:`, naming it.
pub fn runs(args: impl IntoIterator<Item = String>, default: &[&str]) -> anyhow::Result<Vec<(usize, u64)>> {
    let given: Vec<String> = args.into_iter().collect();
    let given = if given.is_empty() { default.iter().map(|&run| run.to_owned()).collect() } else { given };
    given
        .iter()
        .map(|run| {
            let (clients, seconds) = run.split_once(':').ok_or_else(|| anyhow::anyhow!("{run}: CLIENTS:SECONDS"))?;
            Ok((clients.parse()?, seconds.parse()?))
        })
        .collect()
}

/// Today's date in UTC, `YYYY-MM-DD` (from `date -u`; empty when it cannot run).
pub fn today() -> String {
    let output = std::process::Command::new("date").args(["-u", "+%Y-%m-%d"]).output();
    output.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned()).unwrap_or_default()
}

/// The items of `app`'s table `table` (logical id) whose `kind` attribute is `kind`.
pub fn items(app: &TestApp, table: &str, kind: &str) -> Vec<Value> {
    app.items(table).into_iter().filter(|item| item["kind"]["S"] == kind).collect()
}

/// The domain events of type `kind` published on `topic` (logical id), counted by their
/// `data[key]` (e.g. the id of what they are about; `""` when absent).
pub fn events(app: &TestApp, topic: &str, kind: &str, key: &str) -> BTreeMap<String, usize> {
    count(
        app.published(topic)
            .iter()
            .map(crate::event_of)
            .filter(|event| event["type"] == kind)
            .map(|event| event["data"][key].as_str().unwrap_or_default().to_owned()),
    )
}

/// The messages published on `topic` (logical id) whose `eventType` message attribute is
/// `event_type`, counted by their `correlationId` attribute (`""` when absent).
pub fn by_correlation(app: &TestApp, topic: &str, event_type: &str) -> BTreeMap<String, usize> {
    count(
        app.published(topic)
            .iter()
            .filter(|m| m.attributes.get("eventType").and_then(Value::as_str) == Some(event_type))
            .map(|m| m.attributes.get("correlationId").and_then(Value::as_str).unwrap_or_default().to_owned()),
    )
}

/// Waits until the stack has settled after a load and returns how long that took, in
/// seconds: no `OutboxEvent` item of the `outbox_tables` is pending (`outboxPending`) and
/// the number of messages published on `quiet_topic` has not changed for 5 s; checked every
/// second, for 900 s at the most (then it returns anyway).
pub async fn settle(app: &TestApp, outbox_tables: &[&str], quiet_topic: &str) -> f64 {
    let settle = Instant::now();
    let mut last = (usize::MAX, Instant::now());
    loop {
        let pending: usize = outbox_tables
            .iter()
            .map(|table| items(app, table, "OutboxEvent").iter().filter(|i| i["outboxPending"].is_object()).count())
            .sum();
        let published = app.published(quiet_topic).len();
        if published != last.0 {
            last = (published, Instant::now());
        }
        let quiet = last.1.elapsed() > Duration::from_secs(5);
        if (pending == 0 && quiet) || settle.elapsed() > Duration::from_secs(900) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    settle.elapsed().as_secs_f64()
}

/// The messages waiting in queue `logical_id` of `app`'s stack (`ApproximateNumberOfMessages`).
///
/// # Errors
/// When the stack has no such queue or the emulator does not answer.
pub async fn queue_depth(app: &TestApp, logical_id: &str) -> anyhow::Result<usize> {
    let arn = format!("arn:aws:sqs:us-east-1:000000000000:test-{logical_id}");
    let url =
        app.stack.emulators.sqs.queue_url_for_arn(&arn).map_err(|err| anyhow::anyhow!("no queue {arn}: {err:?}"))?;
    let attributes = app
        .stack
        .emulators
        .sqs
        .get_queue_attributes(rustack_sqs_model::input::GetQueueAttributesInput {
            queue_url: url,
            attribute_names: vec!["ApproximateNumberOfMessages".to_owned()],
        })
        .await
        .map_err(|err| anyhow::anyhow!("{err:?}"))?;
    Ok(attributes.attributes.get("ApproximateNumberOfMessages").and_then(|n| n.parse().ok()).unwrap_or(0))
}

/// Prints `report` and writes it to `docs/benchmarks.md` in `system`'s folder (creating
/// `docs/`), then says where on stderr; returns the file's path.
///
/// # Errors
/// When the folder or the file cannot be written.
pub fn write_report(system: &System, report: &str) -> anyhow::Result<PathBuf> {
    print!("{report}");
    let path = system.root().join("docs/benchmarks.md");
    std::fs::create_dir_all(system.root().join("docs"))?;
    std::fs::write(&path, report)?;
    eprintln!("written to {}", path.display());
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank_and_nan_when_empty() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert!((percentile(&sorted, 50.0) - 6.0).abs() < f64::EPSILON, "rank round(4.5) = 5");
        assert!((percentile(&sorted, 95.0) - 10.0).abs() < f64::EPSILON);
        assert!((percentile(&sorted, 0.0) - 1.0).abs() < f64::EPSILON);
        assert!((percentile(&sorted, 100.0) - 10.0).abs() < f64::EPSILON);
        assert!(percentile(&[], 50.0).is_nan());
    }

    #[test]
    fn counts_statuses_and_exactly_once_read_as_the_reports_write_them() {
        assert_eq!(statuses([503, 201, 201]), "201: 2, 503: 1");
        let counts = count(["a", "b", "b", "z", "z"].map(str::to_owned));
        let ids: HashSet<String> = ["a", "b", "c"].map(str::to_owned).into();
        assert_eq!(once(&counts, &ids), "1 of 3 exactly once, 2 more than once");
    }

    #[test]
    fn runs_are_read_from_the_arguments_or_the_default() {
        assert_eq!(runs(Vec::new(), &["2:5", "150:60"]).ok(), Some(vec![(2, 5), (150, 60)]));
        assert_eq!(runs(["100:60".to_owned()], &["2:5"]).ok(), Some(vec![(100, 60)]));
        let refused = runs(["100".to_owned()], &[]).map_err(|err| err.to_string());
        assert_eq!(refused, Err("100: CLIENTS:SECONDS".to_owned()));
        assert!(runs(["x:60".to_owned()], &[]).is_err());
        assert_eq!(today().len(), 10, "YYYY-MM-DD");
    }
}
