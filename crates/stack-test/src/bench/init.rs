//! Init time of every function of a stack beside a hello-world Lambda, measured in the same
//! run: what Lambda bills as the init phase (process start to the runtime's first
//! `GET /2018-06-01/runtime/invocation/next`), minus the download of the code.
//!
//! Each function's binary runs with the environment the local stack gives it (the
//! template's variables and the ones Lambda sets) against a stand-in Runtime API on
//! 127.0.0.1 that only notes when `next` is asked for; the process is killed then. The runs
//! alternate between the binaries (hello-world, then every function, again and again), so a
//! change in the machine's load weighs on each alike, and each median is given as a ratio of
//! hello-world's median.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::percentile;
use crate::TestApp;

/// The hello-world binary's name (`crates/lambda-fixture`: a bare `lambda_http` function).
pub const HELLO_WORLD: &str = "hello-world";

/// How long a binary may take to ask for its first event before the run counts as failed.
const INIT_DEADLINE: Duration = Duration::from_secs(10);

/// One binary's init durations.
#[derive(Debug, Clone)]
pub struct InitTimes {
    /// Function logical id (`hello-world` for the reference).
    pub function: String,
    /// The executable.
    pub executable: PathBuf,
    /// Its size on disk, in bytes.
    pub size_bytes: u64,
    /// Init durations, in milliseconds, sorted ascending.
    pub millis: Vec<f64>,
}

impl InitTimes {
    /// The median init, in milliseconds.
    pub fn median(&self) -> f64 {
        percentile(&self.millis, 50.0)
    }
}

/// Every function of `app`'s stack and hello-world (first), `runs` times each, alternating.
///
/// Builds hello-world in `profile` (the same profile as the functions, see
/// [`super::profile`]).
///
/// # Errors
/// When hello-world does not build, a binary cannot start, or one does not ask for its first
/// event within 10 s (naming it).
pub fn measure(app: &TestApp, profile: devstack::build::Profile, runs: usize) -> anyhow::Result<Vec<InitTimes>> {
    let workspace = devstack::testing::workspace_root();
    let hello = devstack::build::build(&workspace, &[HELLO_WORLD.to_owned()], profile, true)?.join(HELLO_WORLD);
    let template = devstack::template::Template::load(app.system.template())?;
    let specs: Vec<&devstack::lambda::FunctionSpec> =
        template.of_type("AWS::Serverless::Function").filter_map(|(id, _)| app.stack.function(id)).collect();
    let first = specs.first().context("the stack has no function")?;
    // Hello-world gets the same Lambda-set variables (and ignores the template's).
    let mut binaries: Vec<(String, PathBuf, BTreeMap<String, String>)> =
        vec![(HELLO_WORLD.to_owned(), hello, first.environment.clone())];
    binaries.extend(specs.iter().map(|s| (s.logical_id.clone(), s.executable.clone(), s.environment.clone())));

    let runtime = RuntimeStandIn::start()?;
    let mut millis: Vec<Vec<f64>> = vec![Vec::with_capacity(runs); binaries.len()];
    for _ in 0..runs {
        for ((function, executable, environment), samples) in binaries.iter().zip(&mut millis) {
            let init = runtime.time(executable, environment).with_context(|| format!("init of {function}"))?;
            samples.push(init.as_secs_f64() * 1000.0);
        }
    }
    binaries
        .into_iter()
        .zip(millis)
        .map(|((function, executable, _), mut millis)| {
            millis.sort_by(f64::total_cmp);
            let size_bytes = std::fs::metadata(&executable)?.len();
            Ok(InitTimes { function, executable, size_bytes, millis })
        })
        .collect()
}

/// The report's table: per function its binary, size, init median and p90, and the median
/// as a ratio of hello-world's (the first of `times`), then how many are within `limit`
/// times hello-world.
pub fn table(times: &[InitTimes], limit: f64) -> String {
    let Some(hello) = times.first() else { return String::new() };
    let reference = hello.median();
    let mut out = String::new();
    let _ = writeln!(out, "| function | binary | size (MB) | init median (ms) | init p90 (ms) | vs hello-world |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    for t in times {
        let ratio = t.median() / reference;
        let mark = if ratio > limit { " (over)" } else { "" };
        let _ = writeln!(
            out,
            "| {} | {} | {:.1} | {:.2} | {:.2} | {ratio:.2}x{mark} |",
            t.function,
            t.executable.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
            t.size_bytes as f64 / 1_000_000.0,
            t.median(),
            percentile(&t.millis, 90.0),
        );
    }
    let within = times[1..].iter().filter(|t| t.median() / reference <= limit).count();
    let _ = writeln!(
        out,
        "\n{within} of {} functions start within {limit}x hello-world ({} runs each, alternating).",
        times.len() - 1,
        hello.millis.len()
    );
    out
}

/// A stand-in for the Lambda Runtime API: notes when `next` is asked for and holds the
/// request open (as Lambda does between events) until the process is killed.
struct RuntimeStandIn {
    address: String,
    polled: mpsc::Receiver<Instant>,
}

impl RuntimeStandIn {
    fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?.to_string();
        let (tx, polled) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let mut stream = stream;
                    let mut seen = Vec::new();
                    let mut buffer = [0_u8; 1024];
                    while let Ok(n @ 1..) = stream.read(&mut buffer) {
                        let noted = seen.windows(4).any(|w| w == b"\r\n\r\n");
                        seen.extend_from_slice(&buffer[..n]);
                        if !noted && seen.windows(4).any(|w| w == b"\r\n\r\n") {
                            let line = seen.split(|b| *b == b'\n').next().unwrap_or_default();
                            if line.windows(b"/runtime/invocation/next".len()).any(|w| w == b"/runtime/invocation/next")
                            {
                                let _ = tx.send(Instant::now());
                            }
                        }
                    }
                });
            }
        });
        Ok(Self { address, polled })
    }

    /// Starts `executable` with `environment` and this stand-in as its Runtime API; returns
    /// the time until it asked for its first event, then kills it.
    fn time(&self, executable: &Path, environment: &BTreeMap<String, String>) -> anyhow::Result<Duration> {
        while self.polled.try_recv().is_ok() {}
        let started = Instant::now();
        let mut child = Command::new(executable)
            .env_clear()
            .envs(environment)
            .env("AWS_LAMBDA_RUNTIME_API", &self.address)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", executable.display()))?;
        let polled = loop {
            match self.polled.recv_timeout(Duration::from_millis(5)) {
                Ok(polled) => break Ok(polled),
                Err(_) if started.elapsed() > INIT_DEADLINE => {
                    break Err(anyhow::anyhow!("no first `next` within {INIT_DEADLINE:?}"));
                }
                Err(_) => {
                    if let Ok(Some(status)) = child.try_wait() {
                        break Err(anyhow::anyhow!("no first `next`: the process ended ({status})"));
                    }
                }
            }
        };
        let _ = child.kill();
        let _ = child.wait();
        Ok(polled?.saturating_duration_since(started))
    }
}

/// The report's section: `## Init per function`, how it was measured, the anchor, the goal
/// (within 1.5x hello-world) and [`table`].
pub fn section(times: &[InitTimes]) -> String {
    format!(
        "\n## Init per function\n\nProcess start to the first `next` of the Lambda Runtime API, each binary with \
         the environment the local stack gives it, against a stand-in Runtime API; the binaries alternate run by \
         run. Anchor: a Rust hello-world's init on Lambda, 13.9 ms (lambda-perf, 2026-08). Goal: every function \
         within 1.5x hello-world.\n\n{}",
        table(times, 1.5)
    )
}

/// How many functions of `times` (after hello-world, the first) start more than `limit`
/// times slower than hello-world, and the largest ratio.
pub fn over(times: &[InitTimes], limit: f64) -> (usize, f64) {
    let Some(hello) = times.first() else { return (0, f64::NAN) };
    let ratios: Vec<f64> = times[1..].iter().map(|t| t.median() / hello.median()).collect();
    (ratios.iter().filter(|r| **r > limit).count(), ratios.iter().copied().fold(0.0, f64::max))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(function: &str, millis: &[f64]) -> InitTimes {
        InitTimes {
            function: function.to_owned(),
            executable: PathBuf::from(function),
            size_bytes: 2_500_000,
            millis: millis.to_vec(),
        }
    }

    #[test]
    fn the_table_gives_each_median_as_a_ratio_of_hello_worlds_and_counts_those_over() {
        let all = [times("hello-world", &[2.0, 2.0, 3.0]), times("A", &[2.5, 3.0, 9.0]), times("B", &[3.0, 4.0, 4.0])];
        let table = table(&all, 1.5);
        assert!(table.contains("| A | A | 2.5 | 3.00 | 9.00 | 1.50x |"), "{table}");
        assert!(table.contains("| B | B | 2.5 | 4.00 | 4.00 | 2.00x (over) |"), "{table}");
        assert!(table.contains("1 of 2 functions start within 1.5x hello-world (3 runs each"), "{table}");
        assert_eq!(over(&all, 1.5), (1, 2.0));
    }

    #[test]
    fn the_stand_in_times_the_first_next_and_refuses_a_process_that_never_asks() {
        let runtime = RuntimeStandIn::start().expect("listens");
        let asks = "h=${AWS_LAMBDA_RUNTIME_API%:*}; p=${AWS_LAMBDA_RUNTIME_API#*:}; sleep 0.05; \
                    exec 3<>/dev/tcp/$h/$p; printf 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\n\\r\\n' >&3; sleep 5";
        let env = BTreeMap::from([("PATH".to_owned(), std::env::var("PATH").unwrap_or_default())]);
        let script = std::env::temp_dir().join(format!("init-stand-in-{}.sh", std::process::id()));
        std::fs::write(&script, format!("#!/bin/bash\n{asks}\n")).expect("script written");
        let mut permissions = std::fs::metadata(&script).expect("script").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&script, permissions).expect("executable");
        let init = runtime.time(&script, &env).expect("the script asks for its first event");
        assert!(init >= Duration::from_millis(50), "{init:?}: the time until it asked, not until it started");
        std::fs::write(&script, "#!/bin/bash\nexit 0\n").expect("script written");
        let refused = runtime.time(&script, &env).map_err(|err| err.to_string());
        assert!(refused.is_err_and(|err| err.contains("no first `next`")), "a process that never asks has no init");
        let _ = std::fs::remove_file(&script);
    }
}
