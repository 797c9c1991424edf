//! The shared circuit breaker: several `SyncInvoker`s, each standing for one worker (its
//! own process-local state), share one breaker item in the embedded DynamoDB (the
//! fixture's `WidgetTable`) and call a local fake of the Lambda `Invoke` API through the
//! real `aws-sdk-lambda`, which counts the calls that reach the dependency.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::State as AxumState;
use axum::http::{HeaderMap, HeaderValue};
use axum::routing::post;
use devstack::emulators::Emulators;
use devstack::testing::{emulators_with_resources, physical_name};
use platform::breaker::{Breaker, FAILURES_TO_OPEN, Policy, State};
use platform::invoke::{InvokeError, SyncInvoker};
use serde_json::{Value, json};

const DEPENDENCY: &str = "widget-check";
const TIMEOUT: Duration = Duration::from_millis(400);

/// A dependency behind the Lambda `Invoke` API: healthy, failing (a function error), or
/// slow; it counts every call that reaches it.
#[derive(Default)]
struct Dependency {
    calls: AtomicUsize,
    failing: AtomicBool,
    delay_ms: AtomicU64,
}

impl Dependency {
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    fn fail(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
    fn delay(&self, delay: Duration) {
        self.delay_ms.store(u64::try_from(delay.as_millis()).unwrap(), Ordering::SeqCst);
    }
}

async fn invoke(AxumState(dependency): AxumState<Arc<Dependency>>, request: String) -> (HeaderMap, String) {
    dependency.calls.fetch_add(1, Ordering::SeqCst);
    let delay = dependency.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let mut headers = HeaderMap::new();
    if dependency.failing.load(Ordering::SeqCst) {
        headers.insert("x-amz-function-error", HeaderValue::from_static("Unhandled"));
        return (headers, json!({ "errorType": "Failing", "errorMessage": "the dependency fails" }).to_string());
    }
    (headers, json!({ "echo": serde_json::from_str::<Value>(&request).unwrap() }).to_string())
}

struct World {
    emulators: Emulators,
    dependency: Arc<Dependency>,
    lambda_url: String,
}

impl World {
    async fn start() -> Self {
        let template = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture/template.yaml");
        let emulators = emulators_with_resources(&template).await;
        let dependency = Arc::new(Dependency::default());
        let app = axum::Router::new()
            .route("/2015-03-31/functions/{name}/invocations", post(invoke))
            .with_state(Arc::clone(&dependency));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let lambda_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { emulators, dependency, lambda_url }
    }

    fn breaker(&self, policy: Policy) -> Breaker {
        Breaker::new(
            platform::testing::dynamodb(&self.emulators.dynamodb_url),
            physical_name("WidgetTable"),
            DEPENDENCY,
        )
        .with_policy(policy)
    }

    /// `n` workers: each its own invoker and breaker instance, one shared breaker item.
    fn workers(&self, n: usize, policy: Policy) -> Vec<SyncInvoker> {
        let lambda = aws_sdk_lambda::Client::new(&platform::testing::sdk_config(&self.lambda_url));
        (0..n).map(|_| SyncInvoker::new(lambda.clone(), DEPENDENCY, TIMEOUT, self.breaker(policy))).collect()
    }
}

async fn call(worker: &SyncInvoker) -> Result<Value, InvokeError> {
    worker.call(&json!({ "ask": 1 })).await
}

fn quick(open_for: Duration) -> Policy {
    Policy { failures_to_open: FAILURES_TO_OPEN, open_for }
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_spread_over_workers_open_the_breaker_for_every_worker_at_once() {
    platform::metrics::init();
    let world = World::start().await;
    let workers = world.workers(4, Policy::default());
    world.dependency.fail(true);

    // Five failures, spread round-robin over the workers: no worker failed five times alone.
    for n in 0..5 {
        let failed = call(&workers[n % 4]).await;
        assert!(matches!(failed, Err(InvokeError::Failed { .. })), "call {n} reached the dependency: {failed:?}");
    }
    assert_eq!(world.dependency.calls(), 5);
    assert!(matches!(world.breaker(Policy::default()).state().await.unwrap(), State::Open { .. }));
    // The opening is counted in the EMF metric (other tests of this binary may add theirs).
    let mut emf = Vec::new();
    platform::metrics::flush_to(&mut emf).unwrap();
    let emf = String::from_utf8(emf).unwrap();
    let opened = emf.lines().any(|line| {
        let document: Value = serde_json::from_str(line).unwrap();
        document["transition"] == "opened"
            && document["dependency"] == DEPENDENCY
            && document[platform::breaker::TRANSITIONS_METRIC].as_u64() >= Some(1)
    });
    assert!(opened, "no EMF document counts the opening");
    // ...and in BreakerOpened, with the one dimension Service (the template's alarm metric).
    let per_service = emf.lines().map(|line| serde_json::from_str::<Value>(line).unwrap()).any(|document| {
        let dimensions = &document["_aws"]["CloudWatchMetrics"][0]["Dimensions"];
        document[platform::breaker::OPENED_METRIC].as_u64() >= Some(1) && *dimensions == json!([["Service"]])
    });
    assert!(per_service, "no EMF document counts BreakerOpened by Service alone:\n{emf}");

    // Every worker now refuses at once, without calling the dependency.
    for worker in &workers {
        for _ in 0..3 {
            assert!(matches!(call(worker).await, Err(InvokeError::Open(_))));
        }
    }
    assert_eq!(world.dependency.calls(), 5, "an open breaker does not call");
    // A worker that never called at all (a new cold start) refuses too.
    let fresh = world.workers(1, Policy::default());
    assert!(matches!(call(&fresh[0]).await, Err(InvokeError::Open(_))));
    assert_eq!(world.dependency.calls(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn timeouts_count_as_failures_and_a_success_resets_the_count() {
    let world = World::start().await;
    let workers = world.workers(2, Policy::default());

    // Four failures, a success, four failures: never five in a row, so it stays closed.
    world.dependency.fail(true);
    for n in 0..4 {
        assert!(call(&workers[n % 2]).await.is_err());
    }
    world.dependency.fail(false);
    assert_eq!(call(&workers[0]).await.unwrap(), json!({ "echo": { "ask": 1 } }));
    assert_eq!(world.breaker(Policy::default()).state().await.unwrap(), State::Closed { failures: 0 });
    world.dependency.fail(true);
    for n in 0..4 {
        assert!(matches!(call(&workers[n % 2]).await, Err(InvokeError::Failed { .. })));
    }
    assert_eq!(world.breaker(Policy::default()).state().await.unwrap(), State::Closed { failures: 4 });

    // The fifth consecutive failure is a timeout: it opens the breaker.
    world.dependency.fail(false);
    world.dependency.delay(TIMEOUT * 2);
    assert!(matches!(call(&workers[1]).await, Err(InvokeError::Timeout { .. })));
    assert!(matches!(world.breaker(Policy::default()).state().await.unwrap(), State::Open { .. }));
    assert!(matches!(call(&workers[0]).await, Err(InvokeError::Open(_))));
    assert_eq!(world.dependency.calls(), 4 + 1 + 4 + 1);
}

/// Opens the shared breaker by failing `FAILURES_TO_OPEN` calls on the first worker.
async fn open(world: &World, workers: &[SyncInvoker]) {
    world.dependency.fail(true);
    for _ in 0..FAILURES_TO_OPEN {
        assert!(matches!(call(&workers[0]).await, Err(InvokeError::Failed { .. })));
    }
    assert!(matches!(call(&workers[1]).await, Err(InvokeError::Open(_))));
}

#[tokio::test(flavor = "multi_thread")]
async fn half_open_lets_one_probe_through_and_its_success_closes_the_breaker_for_everyone() {
    let world = World::start().await;
    let open_for = Duration::from_millis(500);
    let workers = world.workers(4, quick(open_for));
    open(&world, &workers).await;
    let calls_when_opened = world.dependency.calls();

    // The dependency heals (and answers slowly enough for the callers to overlap).
    world.dependency.fail(false);
    world.dependency.delay(Duration::from_millis(200));
    tokio::time::sleep(open_for + Duration::from_millis(100)).await;
    assert_eq!(world.breaker(quick(open_for)).state().await.unwrap(), State::HalfOpen { probe_until: None });

    // Four workers call at the same moment: one wins the probe lease, three are refused.
    let (a, b, c, d) = tokio::join!(call(&workers[0]), call(&workers[1]), call(&workers[2]), call(&workers[3]));
    let answers = [a, b, c, d];
    let probes = answers.iter().filter(|a| a.is_ok()).count();
    let refused = answers.iter().filter(|a| matches!(a, Err(InvokeError::Open(_)))).count();
    assert_eq!((probes, refused), (1, 3), "{answers:?}");
    assert_eq!(world.dependency.calls(), calls_when_opened + 1, "only the probe reached the dependency");

    // The probe's success closed it for every worker.
    assert_eq!(world.breaker(quick(open_for)).state().await.unwrap(), State::Closed { failures: 0 });
    for worker in &workers {
        assert!(call(worker).await.is_ok());
    }
    assert_eq!(world.dependency.calls(), calls_when_opened + 1 + 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_probe_opens_the_breaker_again_for_everyone() {
    let world = World::start().await;
    let open_for = Duration::from_millis(500);
    let workers = world.workers(3, quick(open_for));
    open(&world, &workers).await;
    tokio::time::sleep(open_for + Duration::from_millis(100)).await;

    // Still failing: the probe fails and the breaker opens for another period.
    let calls_before = world.dependency.calls();
    assert!(matches!(call(&workers[2]).await, Err(InvokeError::Failed { .. })), "the probe reached the dependency");
    assert_eq!(world.dependency.calls(), calls_before + 1);
    assert!(matches!(world.breaker(quick(open_for)).state().await.unwrap(), State::Open { .. }));
    for worker in &workers {
        assert!(matches!(call(worker).await, Err(InvokeError::Open(_))));
    }
    assert_eq!(world.dependency.calls(), calls_before + 1);

    // Healed: the next probe closes it.
    world.dependency.fail(false);
    tokio::time::sleep(open_for + Duration::from_millis(100)).await;
    assert!(call(&workers[0]).await.is_ok());
    assert!(call(&workers[1]).await.is_ok());
    assert_eq!(world.breaker(quick(open_for)).state().await.unwrap(), State::Closed { failures: 0 });
}

#[tokio::test(flavor = "multi_thread")]
async fn the_breaker_item_is_keyed_by_dependency_in_the_callers_table() {
    let world = World::start().await;
    let workers = world.workers(1, Policy::default());
    open(&world, &world.workers(2, Policy::default())).await;
    assert!(matches!(call(&workers[0]).await, Err(InvokeError::Open(_))));

    let item = world
        .emulators
        .ddb(
            devstack::emulators::Database::get_item,
            json!({ "TableName": physical_name("WidgetTable"), "Key": { "pk": { "S": "BREAKER#widget-check" }, "sk": { "S": "BREAKER" } } }),
        )
        .unwrap();
    assert_eq!(item["Item"]["state"]["S"], "Open", "{item}");
    assert_eq!(item["Item"]["dependency"]["S"], DEPENDENCY);
    assert_eq!(item["Item"]["failures"]["N"], FAILURES_TO_OPEN.to_string());

    // Another dependency's breaker in the same table is unaffected.
    let other =
        Breaker::new(platform::testing::dynamodb(&world.emulators.dynamodb_url), physical_name("WidgetTable"), "other");
    assert_eq!(other.state().await.unwrap(), State::Closed { failures: 0 });
}
