//! [`TestApp`]: a running local stack of one system and an HTTP client for it.

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

use devstack::observe::PublishedMessage;
use devstack::{Stack, System};
use serde_json::{Value, json};

/// How often [`poll_until`] and the polling helpers look again.
pub const POLL_EVERY: Duration = Duration::from_millis(50);

/// A running local stack of one system (dropping the app stops it) and an HTTP client.
pub struct TestApp {
    /// The stack.
    pub stack: Stack,
    /// The system it runs.
    pub system: System,
    http: reqwest::Client,
}

/// An HTTP answer: status, content type and JSON body (`Value::Null` when not JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// `content-type` header.
    pub content_type: String,
    /// Every response header, names lower-case.
    pub headers: HashMap<String, String>,
    /// Parsed body.
    pub body: Value,
}

impl TestApp {
    /// Starts a fresh, in-memory stack of `system` with the template's default parameters.
    ///
    /// # Panics
    /// When the stack cannot start (the functions do not build, the template is invalid).
    pub async fn start(system: &System) -> Self {
        Self::with_parameters(system, HashMap::new()).await
    }

    /// Starts a fresh stack of `system` with parameter overrides.
    ///
    /// The functions that other functions invoke synchronously (a `lambda:InvokeFunction`
    /// policy names them, [`crate::lint::invokers`]) get one worker ready before the app is
    /// returned ([`devstack::Stack::prewarm`]): a debug build's cold start on a loaded
    /// machine can outlast the caller's timeout (610 ms for several systems), which turns a
    /// test of something else into a 503. Every other function starts cold on its first
    /// invocation, as on Lambda.
    ///
    /// # Panics
    /// As [`TestApp::start`], and when a synchronously invoked function's worker is not
    /// ready within 60 s.
    pub async fn with_parameters(system: &System, parameters: HashMap<String, String>) -> Self {
        let options = devstack::testing::stack_options(system.template().to_owned(), parameters);
        Self::with_options(system, options).await
    }

    /// Starts a stack of `system` with `options` (say, from
    /// [`devstack::testing::stack_options_in`] with release binaries, more workers per
    /// function and a longer log, for a benchmark); prewarms as [`TestApp::with_parameters`].
    ///
    /// # Panics
    /// As [`TestApp::with_parameters`].
    pub async fn with_options(system: &System, options: devstack::StackOptions) -> Self {
        let stack = Stack::start(options).await.expect("local stack starts");
        let template = devstack::template::Template::load(system.template()).expect("the template parses");
        let mut called: Vec<String> =
            crate::lint::invokers(&template).into_values().map(|target| target.replace(".Alias", "")).collect();
        called.sort();
        called.dedup();
        for function in called.iter().filter(|f| stack.function(f).is_some()) {
            assert!(stack.prewarm(function, Duration::from_secs(60)).await, "{function} did not start");
        }
        Self { stack, system: system.clone(), http: reqwest::Client::new() }
    }

    /// A token for `sub` in `groups`, valid for `ttl_seconds` (negative: already expired),
    /// signed for the template's JWT authorizer.
    ///
    /// # Panics
    /// When the template has no JWT authorizer.
    pub fn token(&self, sub: &str, groups: &[&str], ttl_seconds: i64) -> String {
        self.stack.mint_token(sub, groups, ttl_seconds).expect("the HTTP API has a JWT authorizer")
    }

    /// A token from the stack's `POST /_devstack/tokens` over HTTP, for any `request` body
    /// that endpoint takes (`{"sub", "groups", "expiresInSeconds", "claims", "kid"}`, see
    /// `devstack::control`): tokens with odd groups or claims the authorizer must refuse.
    ///
    /// # Panics
    /// When the endpoint does not answer with a token.
    pub async fn mint_token(&self, request: &Value) -> String {
        let url = format!("{}/_devstack/tokens", self.stack.lambda_url);
        let response = self.http.post(url).json(request).send().await.expect("the control endpoint answers");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        body["token"].as_str().unwrap_or_else(|| panic!("no token for {request}: {status} {body}")).to_owned()
    }

    /// Sends `method path` with `token` (none: no `Authorization` header) and an optional
    /// JSON body (with `content-type: application/json`).
    pub async fn send_as(&self, token: Option<&str>, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.send_with(token, method, path, &[], body).await
    }

    /// Like [`TestApp::send_as`], with extra request headers (an `Idempotency-Key`, say).
    ///
    /// # Panics
    /// When the method is not a valid HTTP method or the API does not answer.
    pub async fn send_with(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        let body = body.map(|b| ("application/json", b.to_string()));
        self.send_text(token, method, path, headers, body).await
    }

    /// Sends a body as it is, with its content type (for malformed-input tests); `None`
    /// sends no body and no content type.
    ///
    /// # Panics
    /// When the method is not a valid HTTP method or the API does not answer.
    pub async fn send_text(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, String)>,
    ) -> Reply {
        send(&self.http, &self.stack.api_url, token, method, path, headers, body).await
    }

    /// Sends as [`TestApp::send_as`] does and, while the answer is 503 with `Retry-After`,
    /// sends again after the seconds it names, for at most `timeout`; returns the last answer.
    ///
    /// This is what a client honouring `Retry-After` does. It is for the steps that are not
    /// about the 503 itself, where a synchronous dependency may be slow for a moment (a
    /// function's cold start on a loaded machine past the caller's timeout), and only for
    /// requests that a 503 leaves undone or that are idempotent.
    ///
    /// # Panics
    /// As [`TestApp::send_as`].
    pub async fn send_honouring_retry_after(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<&Value>,
        timeout: Duration,
    ) -> Reply {
        let deadline = Instant::now() + timeout;
        loop {
            let reply = self.send_as(token, method, path, body).await;
            let wait = reply.headers.get("retry-after").and_then(|s| s.parse::<u64>().ok());
            match wait {
                Some(seconds) if reply.status == 503 && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_secs(seconds.min(5))).await;
                }
                _ => return reply,
            }
        }
    }

    /// Polls `GET path` with `token` until `condition` holds on the reply or `timeout`
    /// passes; returns the last reply.
    pub async fn poll_as(
        &self,
        token: Option<&str>,
        path: &str,
        timeout: Duration,
        condition: impl Fn(&Reply) -> bool,
    ) -> Reply {
        poll_until(timeout, || self.send_as(token, "GET", path, None), |reply| condition(reply)).await
    }

    /// Messages published so far to the topic with logical id `topic` (an SNS tap).
    pub fn published(&self, topic: &str) -> Vec<PublishedMessage> {
        self.stack.published(topic)
    }

    /// Waits up to `timeout` for `condition` over the messages of `topic`; returns them.
    pub async fn wait_for_messages(
        &self,
        topic: &str,
        timeout: Duration,
        condition: impl Fn(&[PublishedMessage]) -> bool,
    ) -> Vec<PublishedMessage> {
        poll_until(timeout, || async { self.published(topic) }, |messages| condition(messages)).await
    }

    /// Every item of the table with logical id `table`, in DynamoDB JSON (every page of the
    /// scan: a page stops at 1 MB).
    ///
    /// # Panics
    /// When the template has no such table.
    pub fn items(&self, table: &str) -> Vec<Value> {
        let name = self.stack.physical_name(table).unwrap_or_else(|| panic!("the template has no table {table}"));
        let emulators = &self.stack.emulators;
        pages(json!({ "TableName": name }), |request| {
            emulators.ddb(devstack::emulators::Database::scan, request).expect("the table can be scanned")
        })
        .iter()
        .flat_map(|page| page["Items"].as_array().cloned().unwrap_or_default())
        .collect()
    }

    /// Enables or disables the event source mappings of function `logical_id`.
    ///
    /// # Panics
    /// When the function has no mapping.
    pub fn set_consumer_enabled(&self, logical_id: &str, enabled: bool) {
        assert!(self.stack.set_mappings_enabled(logical_id, enabled) > 0, "{logical_id} has no mapping");
    }

    /// The values of EMF metric `name` the functions emitted so far, oldest first (as
    /// `GET /_devstack/metrics?name=` serves them, `devstack::metrics`).
    pub fn metrics(&self, name: &str) -> Vec<devstack::metrics::MetricDatum> {
        self.stack.metrics_named(name)
    }

    /// Waits up to `timeout` for `condition` over the values of metric `name` (a function
    /// writes its metrics just before it answers, and the stack reads them a moment later);
    /// returns them.
    pub async fn wait_for_metrics(
        &self,
        name: &str,
        timeout: Duration,
        condition: impl Fn(&[devstack::metrics::MetricDatum]) -> bool,
    ) -> Vec<devstack::metrics::MetricDatum> {
        poll_until(timeout, || async { self.metrics(name) }, |metrics| condition(metrics)).await
    }

    /// The path of `correlation_id` so far, read over HTTP from the stack's control port
    /// (`GET /_devstack/traces/{correlationId}`, `devstack::trace`): its hops in time order
    /// and the messages published between them.
    ///
    /// # Panics
    /// When the control port does not answer 200 with a path.
    pub async fn trace(&self, correlation_id: &str) -> devstack::trace::TracePath {
        let url = format!("{}/_devstack/traces/{correlation_id}", self.stack.lambda_url);
        let response = self.http.get(url).send().await.expect("the control port answers");
        assert_eq!(response.status().as_u16(), 200, "GET /_devstack/traces/{correlation_id}");
        response.json().await.expect("a trace path")
    }

    /// Waits up to `timeout` for `condition` over the path of `correlation_id`
    /// ([`TestApp::trace`]); returns the last path seen.
    pub async fn wait_for_trace(
        &self,
        correlation_id: &str,
        timeout: Duration,
        condition: impl Fn(&devstack::trace::TracePath) -> bool,
    ) -> devstack::trace::TracePath {
        poll_until(timeout, || self.trace(correlation_id), condition).await
    }

    /// How many invocations of function `logical_id` were asked for so far, including
    /// those still running: for "not invoked while the breaker is open", which must not
    /// depend on whether an earlier slow invocation has ended yet.
    pub fn invoked(&self, logical_id: &str) -> usize {
        self.stack.invoked(logical_id)
    }

    /// How many invocations of function `logical_id` have finished so far.
    pub fn invocations(&self, logical_id: &str) -> usize {
        self.stack.reports().iter().filter(|r| r.function == logical_id).count()
    }

    /// Invokes function `logical_id` with the system's sample event `file` (as
    /// `devstack invoke -e`) and returns its JSON answer, or the function error.
    ///
    /// # Panics
    /// When the event file does not exist or the function is unknown.
    pub async fn invoke_event(&self, logical_id: &str, file: &str) -> Result<Value, String> {
        let payload = self.system.event_text(file).expect("the sample event exists");
        let invocation = self.stack.invoke(logical_id, payload.into()).await.expect("the function exists");
        match invocation.outcome {
            devstack::lambda::Outcome::Response(body) => Ok(serde_json::from_slice(&body).unwrap_or(Value::Null)),
            devstack::lambda::Outcome::Error(error) => Err(error.to_string()),
        }
    }
}

/// Sends one request to the HTTP API at `base_url`: `token` as a bearer token (none: no
/// `Authorization`), extra `headers`, and a body with its content type (none: no body).
///
/// # Panics
/// When the method is not a valid HTTP method or the API does not answer.
pub async fn send(
    http: &reqwest::Client,
    base_url: &str,
    token: Option<&str>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> Reply {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a valid HTTP method");
    let mut request = http.request(method, format!("{base_url}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some((content_type, body)) = body {
        request = request.header("content-type", content_type).body(body);
    }
    let response = request.send().await.expect("the HTTP API answers");
    let status = response.status().as_u16();
    let headers: HashMap<String, String> = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
        .collect();
    let content_type = headers.get("content-type").cloned().unwrap_or_default();
    let bytes = response.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply { status, content_type, headers, body }
}

/// Calls `probe` until `done` holds on its answer or `timeout` passes; returns the last
/// answer either way, so the caller's assertion shows what was seen.
pub async fn poll_until<T, F, Fut>(timeout: Duration, mut probe: F, done: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let answer = probe().await;
        if done(&answer) || Instant::now() >= deadline {
            return answer;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// A fresh, opaque token subject, shaped like an external identity provider's
/// (`auth0|...`), not a UUID: systems must treat `sub` as an opaque string.
pub fn new_subject() -> String {
    format!("auth0|{}", uuid::Uuid::new_v4().simple())
}

/// The domain event a published message carries (its body as JSON; `Null` if not JSON).
pub fn event_of(message: &PublishedMessage) -> Value {
    serde_json::from_str(&message.message).unwrap_or(Value::Null)
}

/// Every page of the paginated DynamoDB `request` (a Scan or a Query): `call` sends one
/// request and returns its page; each next request carries the page's `LastEvaluatedKey` as
/// its `ExclusiveStartKey`, until a page has none.
pub(crate) fn pages(request: Value, mut call: impl FnMut(Value) -> Value) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut next = Some(request.clone());
    while let Some(this) = next.take() {
        let page = call(this);
        if let Some(key) = page.get("LastEvaluatedKey").filter(|key| key.is_object()) {
            let mut following = request.clone();
            following["ExclusiveStartKey"] = key.clone();
            next = Some(following);
        }
        pages.push(page);
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each request after the first carries the previous page's key; a page without one ends.
    #[test]
    fn pages_follow_last_evaluated_key_until_a_page_has_none() {
        let mut sent = Vec::new();
        let pages = pages(json!({ "TableName": "t" }), |request| {
            sent.push(request.clone());
            match request.get("ExclusiveStartKey") {
                None => json!({ "Count": 2, "LastEvaluatedKey": { "pk": { "S": "b" } } }),
                Some(key) if key["pk"]["S"] == "b" => json!({ "Count": 1, "LastEvaluatedKey": { "pk": { "S": "c" } } }),
                Some(_) => json!({ "Count": 0 }),
            }
        });
        assert_eq!(pages.iter().map(|p| p["Count"].as_u64().unwrap()).sum::<u64>(), 3);
        assert_eq!(sent.len(), 3);
        assert_eq!(sent[2], json!({ "TableName": "t", "ExclusiveStartKey": { "pk": { "S": "c" } } }));
    }
}
