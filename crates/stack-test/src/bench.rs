//! The harness every system's load replay (`src/bin/bench.rs`) shares: latency percentiles,
//! counts and "exactly once" lines, the runs given on the command line, letting a stack
//! settle after the load, queue depths, and writing the report to the system's
//! `docs/benchmarks.md`; and the parts every system's report has: the stack started in the
//! bench's own build profile ([`start`]), init per function beside hello-world ([`init`]),
//! warm durations per function and route ([`function_table`], [`Latencies`]). What a system
//! loads and counts stays in its own bench.

pub mod init;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use devstack::System;
use devstack::build::Profile;
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
    settle_with_queues(app, outbox_tables, &[], quiet_topic).await
}

/// [`settle`], and also until the queues `inbox_queues` (logical ids) hold no message,
/// waiting or in flight: for effects that end in a table rather than in an outbox or a
/// message (a read model), which the other two conditions do not see.
pub async fn settle_with_queues(
    app: &TestApp,
    outbox_tables: &[&str],
    inbox_queues: &[&str],
    quiet_topic: &str,
) -> f64 {
    settle_until(app, outbox_tables, inbox_queues, quiet_topic, Duration::from_secs(900)).await.0
}

/// [`settle`] for at most `limit`; returns the seconds it took and the outbox items still
/// pending then (0 when it settled).
pub async fn settle_within(app: &TestApp, outbox_tables: &[&str], quiet_topic: &str, limit: Duration) -> (f64, usize) {
    settle_until(app, outbox_tables, &[], quiet_topic, limit).await
}

async fn settle_until(
    app: &TestApp,
    outbox_tables: &[&str],
    inbox_queues: &[&str],
    quiet_topic: &str,
    limit: Duration,
) -> (f64, usize) {
    let pending = || -> usize { outbox_tables.iter().map(|table| pending_outbox_items(app, table)).sum() };
    let settle = Instant::now();
    let mut last = (usize::MAX, Instant::now());
    loop {
        let pending = pending();
        let published = app.stack.published_count(quiet_topic);
        if published != last.0 {
            last = (published, Instant::now());
        }
        let quiet = last.1.elapsed() > Duration::from_secs(5);
        let mut queued = 0;
        for queue in inbox_queues {
            // A queue the emulator cannot tell about counts as busy: settle waits it out.
            queued += queue_backlog(app, queue).await.unwrap_or(1);
        }
        if pending == 0 && quiet && queued == 0 {
            return (settle.elapsed().as_secs_f64(), 0);
        }
        if settle.elapsed() > limit {
            return (settle.elapsed().as_secs_f64(), pending);
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
}

/// How many outbox items of table `table` wait to be published: a count over the outbox's
/// sparse `Unpublished` index (`outboxPending = "PENDING"`, `platform::outbox`), which
/// holds only those, so counting costs little however long the table's history.
///
/// # Panics
/// When the template has no such table or the table has no such index.
pub fn pending_outbox_items(app: &TestApp, table: &str) -> usize {
    let name = app.stack.physical_name(table).unwrap_or_else(|| panic!("the template has no table {table}"));
    let request = serde_json::json!({
        "TableName": name,
        "IndexName": platform::outbox::UNPUBLISHED_INDEX,
        "KeyConditionExpression": "#pending = :pending",
        "ExpressionAttributeNames": { "#pending": platform::outbox::PENDING_ATTRIBUTE },
        "ExpressionAttributeValues": { ":pending": { "S": platform::outbox::PENDING } },
        "Select": "COUNT",
    });
    crate::app::pages(request, |request| {
        app.stack
            .emulators
            .ddb(devstack::emulators::Database::query, request)
            .unwrap_or_else(|err| panic!("{table}'s Unpublished index cannot be queried: {err:#}"))
    })
    .iter()
    .map(|page| page["Count"].as_u64().unwrap_or(0) as usize)
    .sum()
}

/// The messages waiting in queue `logical_id` of `app`'s stack (`ApproximateNumberOfMessages`).
///
/// # Errors
/// When the stack has no such queue or the emulator does not answer.
pub async fn queue_depth(app: &TestApp, logical_id: &str) -> anyhow::Result<usize> {
    queue_counts(app, logical_id, &["ApproximateNumberOfMessages"]).await
}

/// The messages in queue `logical_id` of `app`'s stack, waiting or in flight
/// (`ApproximateNumberOfMessages` plus `ApproximateNumberOfMessagesNotVisible`).
///
/// # Errors
/// When the stack has no such queue or the emulator does not answer.
pub async fn queue_backlog(app: &TestApp, logical_id: &str) -> anyhow::Result<usize> {
    queue_counts(app, logical_id, &["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]).await
}

/// The sum of the count attributes `names` of queue `logical_id`.
async fn queue_counts(app: &TestApp, logical_id: &str, names: &[&str]) -> anyhow::Result<usize> {
    let arn = format!("arn:aws:sqs:us-east-1:000000000000:test-{logical_id}");
    let url =
        app.stack.emulators.sqs.queue_url_for_arn(&arn).map_err(|err| anyhow::anyhow!("no queue {arn}: {err:?}"))?;
    let attributes = app
        .stack
        .emulators
        .sqs
        .get_queue_attributes(rustack_sqs_model::input::GetQueueAttributesInput {
            queue_url: url,
            attribute_names: names.iter().map(|name| (*name).to_owned()).collect(),
        })
        .await
        .map_err(|err| anyhow::anyhow!("{err:?}"))?;
    Ok(names.iter().filter_map(|name| attributes.attributes.get(*name)).filter_map(|n| n.parse::<usize>().ok()).sum())
}

/// The profile the bench itself was built in, which it runs the functions in too:
/// `cargo run --release` measures release binaries (what `sam build` deploys), a plain
/// `cargo run` debug ones.
pub fn profile() -> Profile {
    if cfg!(debug_assertions) { Profile::Debug } else { Profile::Release }
}

/// How the report names the build: `release` or `debug`.
pub fn build_mode() -> &'static str {
    profile().dir()
}

/// This machine in a line: CPU model, cores and memory (from `/proc`; what is unknown is
/// left out).
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_owned())
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| format!(", {:.0} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(|one| format!(", load {one} at the start")))
        .unwrap_or_default();
    format!("{model}, {cores} cores{memory}{load}")
}

/// The workers per function the benchmarks allow by default: Lambda scales much further,
/// but this machine's cores run the stack, its emulators, every worker and the clients.
pub const WORKERS: usize = 16;

/// Starts a fresh in-memory stack of `system` for a benchmark: the functions built in
/// [`profile`], at most `concurrency` workers per function (Lambda's scaling, capped for
/// this machine), logs of published messages, invocations and metrics long enough for
/// 1,000,000 entries each, and `parameters` over the template's defaults.
pub async fn start(system: &System, parameters: HashMap<String, String>, concurrency: usize) -> TestApp {
    let mut options = devstack::testing::stack_options_in(system.template().to_owned(), parameters, profile());
    options.default_concurrency = concurrency;
    options.log_capacity = 1_000_000;
    TestApp::with_options(system, options).await
}

/// The HTTP routes of each function of `system`'s template: logical id to `"METHOD /path"`s.
///
/// # Errors
/// When the template does not load.
pub fn routes(system: &System) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let template = devstack::template::Template::load(system.template())?;
    let mut routes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, function) in template.of_type("AWS::Serverless::Function") {
        for event in function["Properties"]["Events"].as_object().into_iter().flatten().map(|(_, e)| e) {
            if event["Type"] == "HttpApi" {
                let props = &event["Properties"];
                let route =
                    format!("{} {}", props["Method"].as_str().unwrap_or("?"), props["Path"].as_str().unwrap_or("?"));
                routes.entry(id.clone()).or_default().push(route);
            }
        }
    }
    Ok(routes)
}

/// Per function of `app`'s stack, from the invocations it finished so far (what the local
/// stack measured from the worker taking the event to its answer): its routes, invocations,
/// cold starts, errors and warm p50 / p99 / max in milliseconds.
///
/// # Errors
/// When the template does not load.
pub fn function_table(app: &TestApp) -> anyhow::Result<String> {
    let routes = routes(&app.system)?;
    let mut by_function: BTreeMap<String, (Vec<f64>, usize, usize)> = BTreeMap::new();
    for report in app.stack.reports() {
        let (warm, cold, errors) = by_function.entry(report.function.clone()).or_default();
        if report.init_ms.is_some() {
            *cold += 1;
        } else {
            warm.push(report.duration_ms);
        }
        *errors += usize::from(report.error);
    }
    let mut out = String::new();
    writeln!(
        out,
        "| function | routes | invocations | cold starts | errors | warm p50 (ms) | warm p99 (ms) | warm max (ms) |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|")?;
    // A function whose every invocation was a cold start has no warm figures: "-".
    let ms = |v: f64| if v.is_nan() { "-".to_owned() } else { format!("{v:.1}") };
    for (function, (mut warm, cold, errors)) in by_function {
        warm.sort_by(f64::total_cmp);
        writeln!(
            out,
            "| {function} | {} | {} | {cold} | {errors} | {} | {} | {} |",
            routes.get(&function).map(|r| r.join(", ")).unwrap_or_else(|| "(events)".to_owned()),
            warm.len() + cold,
            ms(percentile(&warm, 50.0)),
            ms(percentile(&warm, 99.0)),
            ms(warm.last().copied().unwrap_or(f64::NAN))
        )?;
    }
    Ok(out)
}

/// Where the time of a part went, from the invocations the local stack finished during it
/// (`reports`, a slice of [`devstack::Stack::reports`]): per function, invocations, busy
/// seconds (the sum of their durations; several workers can be busy at once) and the mean
/// duration, busiest first.
pub fn busy_table(reports: &[devstack::stack::InvocationReport]) -> String {
    let mut by_function: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    for report in reports {
        let (count, busy) = by_function.entry(&report.function).or_default();
        *count += 1;
        *busy += report.duration_ms + report.init_ms.unwrap_or(0.0);
    }
    let mut rows: Vec<_> = by_function.into_iter().collect();
    rows.sort_by(|a, b| b.1.1.total_cmp(&a.1.1));
    let mut out = String::new();
    let _ = writeln!(out, "| function | invocations | busy (s) | mean (ms) |");
    let _ = writeln!(out, "|---|---:|---:|---:|");
    for (function, (count, busy)) in rows {
        let _ = writeln!(out, "| {function} | {count} | {:.1} | {:.1} |", busy / 1000.0, busy / count.max(1) as f64);
    }
    out
}

/// The machine's CPU time spent so far, in core-seconds, from `/proc/stat` (user, nice,
/// system, irq and softirq; not idle, I/O wait or the time the hypervisor stole): the
/// difference over a part is what every process on the machine used during it. `NaN` when
/// `/proc/stat` cannot be read.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else { return f64::NAN };
    let ticks: Vec<f64> = line.split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
    if ticks.len() < 7 {
        return f64::NAN;
    }
    // user nice system idle iowait irq softirq (steal ...); USER_HZ is 100 on Linux.
    (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) / 100.0
}

/// Latencies measured by the client, end to end over HTTP, by route (`"METHOD /path"` with the
/// template's path parameters, e.g. `GET /orders/{orderId}`), in milliseconds.
#[derive(Debug, Default)]
pub struct Latencies(BTreeMap<String, Vec<f64>>);

impl Latencies {
    /// Notes one request of `route` that took `since.elapsed()`.
    pub fn note(&mut self, route: &str, since: Instant) {
        self.0.entry(route.to_owned()).or_default().push(since.elapsed().as_secs_f64() * 1000.0);
    }

    /// The table: per route, requests and p50 / p99 / max in milliseconds.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "| route | requests | p50 (ms) | p99 (ms) | max (ms) |");
        let _ = writeln!(out, "|---|---:|---:|---:|---:|");
        for (route, millis) in &self.0 {
            let mut sorted = millis.clone();
            sorted.sort_by(f64::total_cmp);
            let _ = writeln!(
                out,
                "| `{route}` | {} | {:.1} | {:.1} | {:.1} |",
                sorted.len(),
                percentile(&sorted, 50.0),
                percentile(&sorted, 99.0),
                sorted.last().copied().unwrap_or(f64::NAN)
            );
        }
        out
    }
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
