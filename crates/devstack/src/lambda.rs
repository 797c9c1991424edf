//! Lambda functions run as local processes speaking the Lambda Runtime API.
//!
//! Each function has a pool of workers. A worker is one process of the function's
//! bootstrap binary with its own Runtime API endpoint (`AWS_LAMBDA_RUNTIME_API`), so it
//! handles one invocation at a time, as in Lambda. An invocation with no idle worker
//! starts a new one (a cold start) until the function's concurrency limit; past it, the
//! invocation waits for a worker. An invocation that outlives the function's timeout
//! kills its worker and fails with `Task timed out`, as Lambda does.
//!
//! A worker process that dies (it crashed, or was killed, idle or busy) is forgotten at
//! once: its in-flight invocation fails with `Runtime.ExitError`, as Lambda reports it,
//! and the next invocation (or one already waiting) starts a new worker.
//!
//! An invocation runs to its end once it has started, whoever awaits it: it runs in its
//! own task, so a caller that disconnects or gives up (an HTTP client's timeout) does not
//! stop the handler half-way.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::{Mutex, mpsc, oneshot};

/// What the local stack needs to run one function.
#[derive(Debug, Clone)]
pub struct FunctionSpec {
    /// Logical id in the template, e.g. `RegisterCustomerFunction`.
    pub logical_id: String,
    /// Physical function name.
    pub name: String,
    /// Function ARN.
    pub arn: String,
    /// The bootstrap executable.
    pub executable: PathBuf,
    /// The full process environment (template variables and the Lambda-defined ones).
    pub environment: BTreeMap<String, String>,
    /// Invocation timeout.
    pub timeout: Duration,
    /// Configured memory, in MB (reported to the function, not enforced).
    pub memory_mb: u32,
    /// Most workers (concurrent invocations) at once.
    pub max_concurrency: usize,
}

/// How one invocation ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The function returned this payload.
    Response(Bytes),
    /// The function (or its runtime) failed; the payload is Lambda's error JSON
    /// (`errorType`, `errorMessage`).
    Error(serde_json::Value),
}

/// One finished invocation with its measurements.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// Request id given to the function.
    pub request_id: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Wall time from the worker taking the event to its answer, in milliseconds.
    pub duration_ms: f64,
    /// Init duration when this invocation was a cold start (process start to first
    /// `next`), in milliseconds.
    pub init_ms: Option<f64>,
    /// When it started (the worker took the event, or it failed before one did), UTC.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// Its trigger, trace and correlation ids ([`crate::trace`]).
    pub context: crate::trace::InvocationContext,
}

/// Called with every finished invocation (the local stack prints one line each).
pub type InvocationObserver = Arc<dyn Fn(&FunctionSpec, &Invocation) + Send + Sync>;

/// Called with every line a function's processes write to stdout (the local stack reads
/// EMF metrics from them, [`crate::metrics`]).
pub type OutputObserver = Arc<dyn Fn(&FunctionSpec, &str) + Send + Sync>;

struct Job {
    request_id: String,
    trace_header: String,
    payload: Bytes,
    deadline_ms: u128,
    /// When the invocation was asked for: it is a cold start when it had to wait for the
    /// init of the worker that takes it.
    submitted: Instant,
    reply: oneshot::Sender<(Outcome, f64, Option<f64>)>,
}

/// A function and its pool of worker processes.
pub struct Function {
    shared: Arc<Shared>,
    observer: InvocationObserver,
    fault: Arc<std::sync::Mutex<Fault>>,
}

/// One live worker process, as [`Function::workers`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerStatus {
    /// The process id of the worker (0 until the process started).
    pub pid: u32,
    /// Whether it is running an invocation now.
    pub busy: bool,
}

/// A fault injected into a function (like AWS FIS's Lambda actions): every invocation is
/// first delayed by `delay_ms`, then fails without running if `fail` is set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Milliseconds added before the function receives the event.
    #[serde(default)]
    pub delay_ms: u64,
    /// Fail the invocation (`errorType: Devstack.InjectedFault`) instead of running it.
    #[serde(default)]
    pub fail: bool,
}

struct Shared {
    spec: FunctionSpec,
    jobs: mpsc::UnboundedSender<Job>,
    queue: Mutex<mpsc::UnboundedReceiver<Job>>,
    /// Invocations sent to the pool and not yet taken by a worker.
    pending: AtomicUsize,
    /// Invocations asked for so far, finished or not ([`Function::invoked`]).
    invoked: AtomicUsize,
    idle: AtomicUsize,
    workers: AtomicUsize,
    live: std::sync::Mutex<BTreeMap<usize, Arc<Worker>>>,
    next_worker: AtomicUsize,
    echo_logs: bool,
    tasks: std::sync::Mutex<tokio::task::JoinSet<()>>,
    /// Told every stdout line, once set ([`Function::observe_output`]).
    output: std::sync::OnceLock<OutputObserver>,
}

impl Function {
    /// A function with no worker yet; the first invocation starts one.
    pub fn new(spec: FunctionSpec, observer: InvocationObserver, echo_logs: bool) -> Self {
        let (jobs, queue) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            spec,
            jobs,
            queue: Mutex::new(queue),
            pending: AtomicUsize::new(0),
            invoked: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
            workers: AtomicUsize::new(0),
            live: std::sync::Mutex::default(),
            next_worker: AtomicUsize::new(0),
            echo_logs,
            tasks: std::sync::Mutex::new(tokio::task::JoinSet::new()),
            output: std::sync::OnceLock::new(),
        });
        Self { shared, observer, fault: Arc::default() }
    }

    /// Tells `observer` every line the function's processes write to stdout from now on;
    /// only the first observer set counts.
    pub fn observe_output(&self, observer: OutputObserver) {
        let _ = self.shared.output.set(observer);
    }

    /// Injects `fault` into every following invocation (`Fault::default()` clears it).
    pub fn set_fault(&self, fault: Fault) {
        *self.fault.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = fault;
    }

    /// The function's specification.
    pub fn spec(&self) -> &FunctionSpec {
        &self.shared.spec
    }

    /// The worker processes alive now, in the order they started.
    pub fn workers(&self) -> Vec<WorkerStatus> {
        let live = self.shared.live.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        live.values()
            .map(|w| WorkerStatus {
                pid: w.pid.load(Ordering::SeqCst),
                busy: w.current.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_some(),
            })
            .collect()
    }

    /// Starts one worker process when the function has none and waits, up to `timeout`,
    /// until a worker has finished its init and asks for an event, as provisioned
    /// concurrency keeps one ready; false when none was ready in time (the function failed
    /// to start, say). The invocation that takes it is not a cold start.
    ///
    /// For tests whose subject is not a cold start: a debug build's init on a loaded machine
    /// (up to hundreds of milliseconds) can outlast a synchronous caller's timeout, which a
    /// deployed function's init (about 10 ms) does not come near.
    pub async fn prewarm(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.shared.idle.load(Ordering::SeqCst) == 0 {
            if Instant::now() >= deadline {
                return false;
            }
            if self.shared.workers.load(Ordering::SeqCst) == 0 {
                start_worker(&self.shared);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    /// How many invocations were asked of the function so far, including those still
    /// running (the finished ones are reported to the observer): whether a caller invoked
    /// it at all, without waiting for a slow invocation to end.
    pub fn invoked(&self) -> usize {
        self.shared.invoked.load(Ordering::SeqCst)
    }

    /// Invokes the function synchronously (`RequestResponse`) with a JSON `payload`, in a
    /// new trace, as a direct `Invoke` ([`crate::trace::InvocationContext::invoke`]).
    ///
    /// The invocation runs in a task of its own: dropping the returned future (a caller
    /// that disconnected) does not stop it; it still runs to its end and is reported to
    /// the observer.
    pub async fn invoke(&self, payload: Bytes) -> Invocation {
        self.invoke_traced(payload, crate::trace::InvocationContext::invoke()).await
    }

    /// Invokes the function as [`Function::invoke`] does, for the trigger, trace and
    /// correlation ids of `context`: the function gets `context.trace_header` in
    /// `Lambda-Runtime-Trace-Id`, and the observer gets the context with the invocation.
    pub async fn invoke_traced(&self, payload: Bytes, context: crate::trace::InvocationContext) -> Invocation {
        let shared = Arc::clone(&self.shared);
        let observer = Arc::clone(&self.observer);
        let fault = *self.fault.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let kept = context.clone();
        self.shared.invoked.fetch_add(1, Ordering::SeqCst);
        let running = tokio::spawn(invoke_in_pool(shared, observer, fault, payload, context));
        match running.await {
            Ok(invocation) => invocation,
            Err(err) => Invocation {
                request_id: uuid::Uuid::new_v4().to_string(),
                outcome: runtime_error("Runtime.Unknown", &format!("the invocation task failed: {err}")),
                duration_ms: 0.0,
                init_ms: None,
                started_at: chrono::Utc::now(),
                context: kept,
            },
        }
    }
}

async fn invoke_in_pool(
    shared: Arc<Shared>,
    observer: InvocationObserver,
    fault: Fault,
    payload: Bytes,
    context: crate::trace::InvocationContext,
) -> Invocation {
    let spec = &shared.spec;
    if fault.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    if fault.fail {
        let outcome = runtime_error("Devstack.InjectedFault", "a fault was injected into this function");
        let invocation = Invocation {
            request_id: uuid::Uuid::new_v4().to_string(),
            outcome,
            duration_ms: 0.0,
            init_ms: None,
            started_at: chrono::Utc::now(),
            context,
        };
        observer(spec, &invocation);
        return invocation;
    }
    let request_id = uuid::Uuid::new_v4().to_string();
    let (reply, answer) = oneshot::channel();
    let deadline = std::time::SystemTime::now() + spec.timeout;
    let deadline_ms = deadline.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
    let job = Job {
        request_id: request_id.clone(),
        trace_header: context.trace_header.clone(),
        payload,
        deadline_ms,
        submitted: Instant::now(),
        reply,
    };
    let (outcome, duration_ms, init_ms) = if submit(&shared, job).is_err() {
        (runtime_error("Runtime.Unavailable", "the function pool is closed"), 0.0, None)
    } else {
        // The worker enforces the timeout; this bound only guards against a lost reply.
        match tokio::time::timeout(spec.timeout * 2 + Duration::from_secs(30), answer).await {
            Ok(Ok(answer)) => answer,
            _ => (runtime_error("Runtime.Unknown", "the invocation was lost"), 0.0, None),
        }
    };
    // The worker measured the duration from when it took the event until now.
    let started_at = chrono::Utc::now() - chrono::Duration::microseconds((duration_ms * 1000.0) as i64);
    let invocation = Invocation { request_id, outcome, duration_ms, init_ms, started_at, context };
    observer(spec, &invocation);
    invocation
}

/// Queues `job` for the pool and makes sure a worker will take it.
fn submit(shared: &Arc<Shared>, job: Job) -> Result<(), ()> {
    shared.pending.fetch_add(1, Ordering::SeqCst);
    if shared.jobs.send(job).is_err() {
        shared.pending.fetch_sub(1, Ordering::SeqCst);
        return Err(());
    }
    ensure_worker(shared);
    Ok(())
}

/// Starts a worker when more invocations wait than workers are idle, unless the concurrency
/// limit is reached: as Lambda does, an event goes to an idle sandbox when there is one, and
/// each event more than the idle sandboxes can take starts a new one (a burst of four events
/// at one idle worker starts three more, instead of queueing three behind the first).
fn ensure_worker(shared: &Arc<Shared>) {
    if shared.idle.load(Ordering::SeqCst) >= shared.pending.load(Ordering::SeqCst) {
        return;
    }
    start_worker(shared);
}

/// Starts one more worker unless the concurrency limit is reached.
fn start_worker(shared: &Arc<Shared>) {
    // Counted up only below the limit; a count another caller changed meanwhile is read again
    // (giving up on it would leave a burst's event without the worker it asked for).
    let limit = shared.spec.max_concurrency;
    if shared.workers.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < limit).then_some(n + 1)).is_err() {
        return;
    }
    let shared_for_task = Arc::clone(shared);
    let mut tasks = shared.tasks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    tasks.spawn(async move {
        let shared = Arc::clone(&shared_for_task);
        let spec = shared.spec.clone();
        if let Err(err) = run_worker(spec.clone(), shared_for_task).await {
            tracing::error!(function = %spec.logical_id, error = format!("{err:#}"), "worker failed to start");
        }
        shared.workers.fetch_sub(1, Ordering::SeqCst);
        // Invocations still waiting get a new worker in place of this one.
        if shared.pending.load(Ordering::SeqCst) > 0 {
            ensure_worker(&shared);
        }
    });
}

struct Worker {
    spec: FunctionSpec,
    shared: Arc<Shared>,
    started: Instant,
    /// When the process first asked for an event: its init ended.
    ready: std::sync::OnceLock<Instant>,
    current: std::sync::Mutex<Option<InFlight>>,
    invocations: AtomicUsize,
    alive: std::sync::atomic::AtomicBool,
    /// Whether this worker is counted in `Shared::idle`: from the moment it answered (as
    /// in Lambda, the sandbox that just answered is the one that takes the next event) or
    /// asked for its next event, until it takes one or dies.
    idle_counted: std::sync::atomic::AtomicBool,
    /// Becomes true when the process is gone, releasing a `next` call still waiting.
    dead: tokio::sync::watch::Sender<bool>,
    pid: std::sync::atomic::AtomicU32,
    killer: std::sync::Mutex<Option<oneshot::Sender<()>>>,
    init_error: std::sync::Mutex<Option<serde_json::Value>>,
}

struct InFlight {
    request_id: String,
    started: Instant,
    cold_init_ms: Option<f64>,
    reply: oneshot::Sender<(Outcome, f64, Option<f64>)>,
}

impl Worker {
    fn mark_idle(&self) {
        if !self.idle_counted.swap(true, Ordering::SeqCst) {
            self.shared.idle.fetch_add(1, Ordering::SeqCst);
        }
        // A worker that died meanwhile is never counted idle (its death marks it busy
        // after clearing `alive`; whichever of the two runs last undoes the count).
        if !self.alive.load(Ordering::SeqCst) {
            self.mark_busy();
        }
    }

    fn mark_busy(&self) {
        if self.idle_counted.swap(false, Ordering::SeqCst) {
            self.shared.idle.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn runtime_error(error_type: &str, message: &str) -> Outcome {
    Outcome::Error(serde_json::json!({ "errorType": error_type, "errorMessage": message }))
}

async fn run_worker(spec: FunctionSpec, shared: Arc<Shared>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let runtime_api = listener.local_addr()?.to_string();
    let number = shared.next_worker.fetch_add(1, Ordering::SeqCst);
    let (kill_tx, kill_rx) = oneshot::channel();
    let worker = Arc::new(Worker {
        spec: spec.clone(),
        shared: Arc::clone(&shared),
        started: Instant::now(),
        ready: std::sync::OnceLock::new(),
        current: std::sync::Mutex::new(None),
        invocations: AtomicUsize::new(0),
        alive: std::sync::atomic::AtomicBool::new(true),
        idle_counted: std::sync::atomic::AtomicBool::new(false),
        dead: tokio::sync::watch::Sender::new(false),
        pid: std::sync::atomic::AtomicU32::new(0),
        killer: std::sync::Mutex::new(Some(kill_tx)),
        init_error: std::sync::Mutex::new(None),
    });
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
        .route("/2018-06-01/runtime/invocation/{id}/error", post(invocation_error))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(Arc::clone(&worker));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let mut command = tokio::process::Command::new(&spec.executable);
    command
        .env_clear()
        .envs(&spec.environment)
        .env("AWS_LAMBDA_RUNTIME_API", &runtime_api)
        .env("AWS_LAMBDA_LOG_STREAM_NAME", format!("local/[$LATEST]{number}"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(err) => {
            server.abort();
            fail_one_queued(
                &shared,
                runtime_error(
                    "Runtime.InvalidEntrypoint",
                    &format!("cannot start {}: {err}", spec.executable.display()),
                ),
            )
            .await;
            return Err(err.into());
        }
    };
    worker.pid.store(child.id().unwrap_or_default(), Ordering::SeqCst);
    shared.live.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(number, Arc::clone(&worker));
    for stream in [child.stdout.take().map(Either::Out), child.stderr.take().map(Either::Err)].into_iter().flatten() {
        let name = spec.logical_id.clone();
        let echo = shared.echo_logs;
        let output = matches!(stream, Either::Out(_)).then(|| (shared.output.get().cloned(), spec.clone()));
        tokio::spawn(async move {
            let mut lines = match stream {
                Either::Out(out) => {
                    Box::pin(BufReader::new(out)) as std::pin::Pin<Box<dyn tokio::io::AsyncBufRead + Send>>
                }
                Either::Err(err) => Box::pin(BufReader::new(err)),
            }
            .lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if echo {
                    eprintln!("  {name} | {line}");
                }
                if let Some((Some(observer), spec)) = &output {
                    observer(spec, &line);
                }
            }
        });
    }

    let status = tokio::select! {
        status = child.wait() => status.ok(),
        _ = kill_rx => {
            let _ = child.kill().await;
            None
        }
    };
    worker.alive.store(false, Ordering::SeqCst);
    worker.mark_busy();
    worker.dead.send_replace(true);
    shared.live.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&number);
    server.abort();
    let in_flight = worker.current.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    let init_error = worker.init_error.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    let exit = status.map_or_else(|| "killed".to_owned(), |s| s.to_string());
    if let Some(in_flight) = in_flight {
        let elapsed = in_flight.started.elapsed().as_secs_f64() * 1000.0;
        let timed_out = elapsed >= spec.timeout.as_secs_f64() * 1000.0;
        let outcome = if timed_out {
            runtime_error(
                "Sandbox.Timedout",
                &format!("Task timed out after {:.2} seconds", spec.timeout.as_secs_f64()),
            )
        } else {
            runtime_error(
                "Runtime.ExitError",
                &format!("RequestId: {} Error: Runtime exited ({exit})", in_flight.request_id),
            )
        };
        let _ = in_flight.reply.send((outcome, elapsed, in_flight.cold_init_ms));
    } else if worker.invocations.load(Ordering::SeqCst) == 0 {
        let error = init_error.unwrap_or_else(|| {
            serde_json::json!({"errorType": "Runtime.ExitError", "errorMessage": format!("the runtime exited during init ({exit})")})
        });
        tracing::warn!(function = %spec.logical_id, %exit, "init failed");
        fail_one_queued(&shared, Outcome::Error(error)).await;
    }
    Ok(())
}

enum Either<A, B> {
    Out(A),
    Err(B),
}

/// Fails the oldest waiting invocation: the one whose cold start just failed.
async fn fail_one_queued(shared: &Shared, outcome: Outcome) {
    if let Ok(mut queue) = shared.queue.try_lock()
        && let Ok(job) = queue.try_recv()
    {
        shared.pending.fetch_sub(1, Ordering::SeqCst);
        let _ = job.reply.send((outcome, 0.0, None));
    }
}

async fn next(State(worker): State<Arc<Worker>>) -> Response {
    let shared = Arc::clone(&worker.shared);
    let mut dead = worker.dead.subscribe();
    if *dead.borrow_and_update() {
        return StatusCode::GONE.into_response();
    }
    let ready = *worker.ready.get_or_init(Instant::now);
    worker.mark_idle();
    // Waits for an event, or for this worker's process to die (then the call is
    // abandoned: it must not hold the queue, nor take an event no process will run).
    let job = tokio::select! {
        job = async {
            let mut queue = shared.queue.lock().await;
            queue.recv().await
        } => job,
        _ = dead.wait_for(|gone| *gone) => None,
    };
    worker.mark_busy();
    let Some(job) = job else {
        return StatusCode::GONE.into_response();
    };
    shared.pending.fetch_sub(1, Ordering::SeqCst);
    // A process killed while it waited here may not be reaped yet (`alive` is still true):
    // ask the kernel too, so the event goes to a live worker instead of failing with a
    // process that never received it, as Lambda never hands an event to a dead sandbox.
    if !worker.alive.load(Ordering::SeqCst) || !process_alive(worker.pid.load(Ordering::SeqCst)) {
        let _ = submit(&shared, job);
        return StatusCode::GONE.into_response();
    }
    // A cold start, as Lambda reports one: the worker's first invocation, asked for before
    // its init ended (an event that arrived after a prewarmed or spare worker was ready did
    // not wait for any init).
    let first = worker.invocations.fetch_add(1, Ordering::SeqCst) == 0;
    let cold = first && job.submitted <= ready;
    let cold_init_ms = cold.then(|| ready.duration_since(worker.started).as_secs_f64() * 1000.0);
    let mut headers = HeaderMap::new();
    let header = |v: &str| HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static(""));
    headers.insert("lambda-runtime-aws-request-id", header(&job.request_id));
    headers.insert("lambda-runtime-deadline-ms", header(&job.deadline_ms.to_string()));
    headers.insert("lambda-runtime-invoked-function-arn", header(&worker.spec.arn));
    headers.insert("lambda-runtime-trace-id", header(&job.trace_header));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    *worker.current.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
        Some(InFlight { request_id: job.request_id, started: Instant::now(), cold_init_ms, reply: job.reply });
    if !worker.alive.load(Ordering::SeqCst) {
        // The process died after the check above and its exit may not have seen this
        // invocation: fail it here unless the exit already did.
        let lost = worker.current.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(lost) = lost {
            let error =
                runtime_error("Runtime.ExitError", &format!("RequestId: {} Error: Runtime exited", lost.request_id));
            let _ = lost.reply.send((error, 0.0, lost.cold_init_ms));
        }
        return StatusCode::GONE.into_response();
    }
    arm_timeout(&worker);
    (StatusCode::OK, headers, job.payload).into_response()
}

/// Whether process `pid` still runs: false once it is gone, a zombie (killed, not yet
/// reaped), exiting, or sent a `SIGKILL` it has not acted on yet: `kill -9` returns before
/// the process is next scheduled, and a loaded machine can take milliseconds to get there,
/// long enough to hand it an event it will never read. Where `/proc` is not available, it
/// trusts the exit watcher alone.
fn process_alive(pid: u32) -> bool {
    if pid == 0 || !std::path::Path::new("/proc/self/stat").exists() {
        return true;
    }
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    !dying(&stat, &status)
}

/// Whether `/proc/<pid>/stat` and `/proc/<pid>/status` describe a process that is dead or
/// about to be: state `Z`/`X`, the kernel's `PF_EXITING` flag, or `SIGKILL` pending (for the
/// thread or the whole process).
fn dying(stat: &str, status: &str) -> bool {
    const PF_EXITING: u64 = 0x4;
    const SIGKILL_BIT: u64 = 1 << (9 - 1);
    // The fields follow the command name, which may itself hold spaces or parentheses:
    // state is the first of them, flags the seventh.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    if matches!(fields.first(), Some(&("Z" | "X" | "x"))) {
        return true;
    }
    if fields.get(6).and_then(|f| f.parse::<u64>().ok()).is_some_and(|flags| flags & PF_EXITING != 0) {
        return true;
    }
    status
        .lines()
        .filter_map(|line| line.strip_prefix("SigPnd:").or_else(|| line.strip_prefix("ShdPnd:")))
        .any(|mask| u64::from_str_radix(mask.trim(), 16).is_ok_and(|mask| mask & SIGKILL_BIT != 0))
}

/// Kills the worker if its current invocation is still running at the timeout.
fn arm_timeout(worker: &Arc<Worker>) {
    let worker = Arc::clone(worker);
    let request_id = worker.current.lock().expect("current lock").as_ref().map(|c| c.request_id.clone());
    tokio::spawn(async move {
        tokio::time::sleep(worker.spec.timeout).await;
        let still_running = worker.current.lock().expect("current lock").as_ref().map(|c| c.request_id.clone());
        if still_running.is_some() && still_running == request_id {
            tracing::warn!(function = %worker.spec.logical_id, "invocation timed out; stopping the worker");
            if let Some(kill) = worker.killer.lock().expect("killer lock").take() {
                let _ = kill.send(());
            }
        }
    });
}

fn finish(worker: &Worker, request_id: &str, outcome: Outcome) -> StatusCode {
    let mut current = worker.current.lock().expect("current lock");
    match current.take() {
        Some(in_flight) if in_flight.request_id == request_id => {
            let duration = in_flight.started.elapsed().as_secs_f64() * 1000.0;
            worker.mark_idle();
            let _ = in_flight.reply.send((outcome, duration, in_flight.cold_init_ms));
            StatusCode::ACCEPTED
        }
        other => {
            *current = other;
            StatusCode::BAD_REQUEST
        }
    }
}

async fn response(State(worker): State<Arc<Worker>>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    finish(&worker, &id, Outcome::Response(body))
}

async fn invocation_error(State(worker): State<Arc<Worker>>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    let error = serde_json::from_slice(&body).unwrap_or_else(
        |_| serde_json::json!({"errorType": "Unhandled", "errorMessage": String::from_utf8_lossy(&body)}),
    );
    finish(&worker, &id, Outcome::Error(error))
}

async fn init_error(State(worker): State<Arc<Worker>>, body: Bytes) -> StatusCode {
    let error = serde_json::from_slice(&body).unwrap_or_else(
        |_| serde_json::json!({"errorType": "Runtime.InitError", "errorMessage": String::from_utf8_lossy(&body)}),
    );
    *worker.init_error.lock().expect("init error lock") = Some(error);
    StatusCode::ACCEPTED
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> Job {
        let (reply, _) = oneshot::channel();
        let payload = Bytes::new();
        let (request_id, trace_header) = (String::new(), String::new());
        Job { request_id, trace_header, payload, deadline_ms: 0, submitted: Instant::now(), reply }
    }

    /// Every event more than the idle workers can take starts a worker (before, one idle
    /// worker made a burst queue behind it). Checked on the pool's counters before any
    /// worker task runs (a current-thread runtime that is not yielded to), so the outcome
    /// does not depend on how fast a worker takes its event.
    #[tokio::test]
    async fn events_beyond_the_idle_workers_start_a_worker_each_up_to_the_limit() {
        let spec = FunctionSpec {
            logical_id: "F".to_owned(),
            name: "f".to_owned(),
            arn: "arn:aws:lambda:us-east-1:000000000000:function:f".to_owned(),
            executable: PathBuf::from("/nonexistent/bootstrap"),
            environment: BTreeMap::new(),
            timeout: Duration::from_secs(1),
            memory_mb: 128,
            max_concurrency: 3,
        };
        let function = Function::new(spec, Arc::new(|_: &FunctionSpec, _: &Invocation| {}), false);
        let shared = &function.shared;
        shared.idle.store(1, Ordering::SeqCst);
        submit(shared, job()).unwrap();
        assert_eq!(shared.workers.load(Ordering::SeqCst), 0, "the idle worker takes the first event");
        submit(shared, job()).unwrap();
        submit(shared, job()).unwrap();
        assert_eq!(shared.workers.load(Ordering::SeqCst), 2, "one new worker for each event beyond it");
        for _ in 0..3 {
            submit(shared, job()).unwrap();
        }
        assert_eq!(shared.workers.load(Ordering::SeqCst), 3, "no more than the concurrency limit");
    }

    #[test]
    fn a_running_process_is_alive_and_a_missing_one_is_not() {
        assert!(super::process_alive(std::process::id()));
        assert!(!super::process_alive(4_000_000_000));
    }

    #[test]
    fn a_killed_process_is_dead_before_it_is_reaped() {
        let mut child = std::process::Command::new("sleep").arg("60").spawn().unwrap();
        assert!(super::process_alive(child.id()));
        assert!(std::process::Command::new("kill").args(["-9", &child.id().to_string()]).status().unwrap().success());
        // Not reaped yet: a zombie, or a process with SIGKILL pending.
        assert!(!super::process_alive(child.id()));
        child.wait().unwrap();
    }

    /// The lines the kernel writes, for a sleeping process, one with `SIGKILL` pending on the
    /// whole process, and one exiting.
    #[test]
    fn pending_sigkill_and_exiting_count_as_dying() {
        let sleeping = "4242 (place (order)) S 1 4242 4242 0 -1 4194560 120 0 0 0 1 0 0 0 20 0 1 0 100 0 0";
        let exiting = "4242 (place-order) R 1 4242 4242 0 -1 4194564 120 0 0 0 1 0 0 0 20 0 1 0 100 0 0";
        let zombie = "4242 (place-order) Z 1 4242 4242 0 -1 4227084 120 0 0 0 1 0 0 0 20 0 1 0 100 0 0";
        let quiet = "Name:\tplace-order\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n";
        let killed = "Name:\tplace-order\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000100\n";
        assert!(!super::dying(sleeping, quiet));
        assert!(super::dying(sleeping, killed));
        assert!(super::dying(exiting, quiet));
        assert!(super::dying(zombie, quiet));
    }
}
