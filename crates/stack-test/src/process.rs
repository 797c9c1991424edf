//! [`StackProcess`]: a system's local stack as its own `devstack up` process with a state
//! folder, for the drills that need what an in-process stack cannot show: a `kill -9` of the
//! whole stack at any moment, a Ctrl-C with a backlog, and a restart on the same state.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use devstack::System;
use devstack::template::{Naming, Template};
use serde_json::{Value, json};

use crate::app::{Reply, send};

/// How long a start may take before the drill gives up (binaries are built beforehand).
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `devstack up` process of one system on free ports, with a state folder.
pub struct StackProcess {
    child: Child,
    system: System,
    state_dir: PathBuf,
    ports: (u16, u16),
    extra: Vec<String>,
    /// `http://127.0.0.1:<port>` of the HTTP API.
    pub api_url: String,
    /// `http://127.0.0.1:<port>` of the Lambda API and `/_devstack` endpoints.
    pub control_url: String,
    /// `http://127.0.0.1:<port>` of the embedded DynamoDB.
    pub dynamodb_url: String,
    http: reqwest::Client,
}

impl StackProcess {
    /// Builds the devstack binary and the system's functions, then starts
    /// `devstack up <system> --state-dir <state_dir>` on two free ports.
    ///
    /// # Panics
    /// When the build fails or the stack does not come up within [`START_TIMEOUT`].
    pub fn start(system: &System, state_dir: &Path) -> Self {
        let ports = (free_port(), free_port());
        Self::spawn(system, state_dir, ports, &[]).unwrap_or_else(|err| panic!("{err}"))
    }

    /// Starts `devstack up` with `extra` arguments; `Err` carries what the process printed
    /// on stderr when it exited (or did not come up in time) instead.
    pub fn try_start(system: &System, state_dir: &Path, extra: &[&str]) -> Result<Self, String> {
        Self::spawn(system, state_dir, (free_port(), free_port()), extra)
    }

    fn spawn(system: &System, state_dir: &Path, ports: (u16, u16), extra: &[&str]) -> Result<Self, String> {
        let bin_dir = devstack::testing::bin_dir(system.template());
        let workspace = devstack::testing::workspace_root();
        devstack::build::build(&workspace, &["devstack".to_owned()], devstack::build::Profile::Debug, true)
            .expect("devstack builds");
        let mut child = Command::new(bin_dir.join("devstack"))
            .current_dir(&workspace)
            .args(["up", &system.root().to_string_lossy(), "--no-build"])
            .args(["--port", &ports.0.to_string(), "--lambda-port", &ports.1.to_string()])
            .arg("--state-dir")
            .arg(state_dir)
            .args(extra)
            .env("DEVSTACK_LOG", std::env::var("TEST_LOG").map_or("error", |_| "info"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("devstack starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let errors = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = std::sync::Arc::clone(&errors);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if std::env::var("TEST_LOG").is_ok() {
                    eprintln!("{line}");
                }
                if let Ok(mut text) = sink.lock() {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
        });
        let (ready, lines) = std::sync::mpsc::channel();
        // Reads the banner for the endpoints, then keeps draining so the process never
        // blocks on a full pipe.
        std::thread::spawn(move || {
            let mut banner = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !banner.is_empty() || line.contains("devstack is up") {
                    banner.push(line.clone());
                }
                if line.contains("press Ctrl-C") {
                    let _ = ready.send(std::mem::take(&mut banner));
                }
            }
        });
        let Ok(banner) = lines.recv_timeout(START_TIMEOUT) else {
            let _ = child.kill();
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            // Let the stderr reader catch up with what the process printed last.
            std::thread::sleep(Duration::from_millis(200));
            let printed = errors.lock().map(|text| text.clone()).unwrap_or_default();
            return Err(format!("devstack did not come up ({status}):\n{printed}"));
        };
        let endpoint = |label: &str| {
            banner
                .iter()
                .find(|l| l.trim_start().starts_with(label))
                .and_then(|l| l.split_whitespace().find(|word| word.starts_with("http://")))
                .map(str::to_owned)
                .unwrap_or_else(|| panic!("the banner names no {label} endpoint: {banner:?}"))
        };
        Ok(Self {
            api_url: endpoint("HTTP API"),
            control_url: format!("http://127.0.0.1:{}", ports.1),
            dynamodb_url: endpoint("DynamoDB"),
            child,
            system: system.clone(),
            state_dir: state_dir.to_owned(),
            ports,
            extra: extra.iter().map(|arg| (*arg).to_owned()).collect(),
            http: reqwest::Client::new(),
        })
    }

    /// Kills the whole stack with SIGKILL, as a crash or `kill -9` would, and waits for it.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the stack with SIGINT, as Ctrl-C does, and waits for it to exit.
    ///
    /// # Panics
    /// When the signal cannot be sent.
    pub fn interrupt(&mut self) {
        let status = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().expect("kill runs");
        assert!(status.success(), "kill -INT failed");
        let _ = self.child.wait();
    }

    /// Starts the stack again on the same state folder, ports and arguments (the old
    /// process must have stopped: see [`StackProcess::kill9`] and [`StackProcess::interrupt`]).
    pub fn restart(mut self) -> Self {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let extra: Vec<&str> = self.extra.iter().map(String::as_str).collect();
        Self::spawn(&self.system, &self.state_dir, self.ports, &extra).unwrap_or_else(|err| panic!("{err}"))
    }

    /// A token for `sub` in `groups`, from the stack's `POST /_devstack/tokens`.
    ///
    /// # Panics
    /// When the stack does not answer with a token.
    pub async fn token(&self, sub: &str, groups: &[&str]) -> String {
        let body = json!({ "sub": sub, "groups": groups, "expiresInSeconds": 3600 });
        let reply = self.control("POST", "/_devstack/tokens", Some(body)).await;
        reply.body["token"].as_str().expect("a token").to_owned()
    }

    /// Sends a request to the HTTP API (see [`crate::app::send`]).
    pub async fn send(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        let body = body.map(|b| ("application/json", b.to_string()));
        send(&self.http, &self.api_url, token, method, path, headers, body).await
    }

    /// Calls a `/_devstack` control endpoint.
    pub async fn control(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let body = body.map(|b| ("application/json", b.to_string()));
        send(&self.http, &self.control_url, None, method, path, &[], body).await
    }

    /// Messages published so far to the topic with logical id `topic`, since this process
    /// started (the message log is not kept across restarts).
    pub async fn published(&self, topic: &str) -> Vec<Value> {
        let reply = self.control("GET", &format!("/_devstack/sns-messages?topic={topic}"), None).await;
        reply.body.as_array().cloned().unwrap_or_default()
    }

    /// Every item of the table with logical id `table`, in DynamoDB JSON.
    ///
    /// # Panics
    /// When the template has no such table or the scan fails.
    pub async fn items(&self, table: &str) -> Vec<Value> {
        let template = Template::load(self.system.template()).expect("the template parses");
        assert_eq!(template.type_of(table), Some("AWS::DynamoDB::Table"), "{table} is not a table");
        let naming = Naming {
            stack_name: self.system.stack_name().to_owned(),
            region: devstack::emulators::REGION.to_owned(),
            sqs_url: String::new(),
        };
        let name = naming.physical_name(&template, table);
        let mut items = Vec::new();
        let mut start: Option<Value> = None;
        loop {
            let mut request = json!({ "TableName": name });
            if let Some(key) = start.take() {
                request["ExclusiveStartKey"] = key;
            }
            let page: Value = self
                .http
                .post(&self.dynamodb_url)
                .header("content-type", "application/x-amz-json-1.0")
                .header("x-amz-target", "DynamoDB_20120810.Scan")
                // The emulator wants a well-formed SigV4 header; it does not check the signature.
                .header("x-amz-date", "20260101T000000Z")
                .header(
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, \
                     SignedHeaders=host;x-amz-date, Signature=00",
                )
                .body(request.to_string())
                .send()
                .await
                .expect("DynamoDB answers")
                .json()
                .await
                .expect("a scan page");
            let Some(page_items) = page["Items"].as_array() else { panic!("scanning {name} failed: {page}") };
            items.extend(page_items.iter().cloned());
            match page.get("LastEvaluatedKey") {
                Some(key) if !key.is_null() => start = Some(key.clone()),
                _ => return items,
            }
        }
    }
}

impl Drop for StackProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}
