//! The rules every system's template keeps, checked the same way for every system.
//!
//! [`template`] reads the template, the system's `events/` and the workspace's cargo
//! metadata (no build, no stack) and returns every finding:
//! - every function's `BuildProperties.Binary` is a binary of the package at its
//!   `CodeUri`, and binary names are unique across the workspace (cargo and cargo-lambda
//!   place binaries by name in one `target/`);
//! - every variable a function's binary reads through `platform::config` is set for it,
//!   and every variable its crate's `src/wiring.rs` reads is set for some function of
//!   that crate (the exact per-function check is [`cold_starts`], which runs them);
//! - every HTTP route is served by exactly one function, of the one HTTP API;
//! - every DynamoDB stream mapping is filtered, reports partial failures
//!   (`ReportBatchItemFailures`), bounds its retries and has an on-failure destination;
//!   every SQS mapping reports partial failures, caps its concurrency and reads a queue
//!   with a dead-letter queue;
//! - every table has a stream (`NEW_IMAGE`), TTL on `expiresAt` and on-demand billing, and
//!   is protected: `DeletionPolicy` and `UpdateReplacePolicy` `Retain`, point-in-time recovery;
//! - every function logs JSON at an `ApplicationLogLevel` to its own log group
//!   (`LoggingConfig.LogGroup`, a `!Ref` to an `AWS::Logs::LogGroup` of the template with a
//!   `RetentionInDays`), `Globals` and the function's `LoggingConfig` merged as SAM does; the
//!   HTTP API writes an access log (`AccessLogSettings` with a `Format`) to such a group;
//! - every SNS topic is encrypted (`KmsMasterKeyId`) and every SQS queue too
//!   (`SqsManagedSseEnabled: true` or `KmsMasterKeyId`);
//! - every outbox relay (binary `outbox-relay`) also runs on a `Schedule` (its sweep), and
//!   the table whose stream it reads has the sparse `Unpublished` index the sweep queries;
//! - every function has a sample event, listed in `events/README.md`, that is JSON;
//! - alarms: every function has an `Errors` and a `Throttles` alarm, every stream-triggered
//!   function an `IteratorAge` alarm, every queue with a redrive policy (an inbox) an
//!   `ApproximateAgeOfOldestMessage` alarm and its dead-letter queue (and every stream
//!   mapping's on-failure queue) an `ApproximateNumberOfMessagesVisible` alarm, the HTTP API
//!   a `5xx` and a `Latency` alarm, and a system whose functions invoke others a
//!   `BreakerOpened` alarm; every alarm notifies the operations topic (`Outputs.
//!   OperationsTopicArn`) in `AlarmActions` and `OKActions`, and its `Threshold` and `Period`
//!   are `!Ref`s to parameters;
//! - dashboards: every function, queue and HTTP API appears in an `AWS::CloudWatch::Dashboard`
//!   body (as `${Function}`, `${Queue.QueueName}`, `${Api}`);
//! - safe deploys: every function has an `AutoPublishAlias` and a `DeploymentPreference` with
//!   a `Type` and `Alarms` holding its own `Errors` alarm and the HTTP API's `5xx` alarm
//!   (`Globals` merged as SAM merges them: maps merged, lists appended), and whatever calls a
//!   function calls its alias: an Invoke target passed in a variable or granted in a policy
//!   is `!Ref <Function>.Alias`, as is an explicit event source mapping's or permission's
//!   `FunctionName`.
//!
//! [`cold_starts`] starts every function of a running stack with the template's
//! environment: a function that reads a variable the template does not set fails its
//! cold start with the variable's name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use devstack::System;
use devstack::template::Template;
use serde_json::Value;

use crate::TestApp;

/// Every finding of the static rules on `system`'s template; empty when it keeps them all.
///
/// # Panics
/// When the template does not parse or `cargo metadata` fails.
pub fn template(system: &System) -> Vec<String> {
    let template = Template::load(system.template()).expect("the template parses");
    let mut findings = Vec::new();
    binaries(system, &template, &mut findings);
    variables(system, &template, &mut findings);
    routes(&template, &mut findings);
    mappings(&template, &mut findings);
    tables(&template, &mut findings);
    logs(&template, &mut findings);
    encryption(&template, &mut findings);
    outbox_relays(&template, &mut findings);
    sample_events(system, &template, &mut findings);
    alarms(&template, &mut findings);
    dashboards(&template, &mut findings);
    deploys(&template, &mut findings);
    tracing(&template, &mut findings);
    builds(system, &template, &mut findings);
    findings
}

/// Panics with every finding of [`template`], if any.
///
/// # Panics
/// When the template breaks a rule.
pub fn assert_template(system: &System) {
    let findings = template(system);
    assert!(
        findings.is_empty(),
        "{} breaks {} rules:\n- {}",
        system.template().display(),
        findings.len(),
        findings.join("\n- ")
    );
}

/// Invokes every function of `app` once with an empty event and returns the functions
/// that failed their cold start (a missing or malformed variable, a crash during init),
/// with the error. An empty event is refused by every handler, after init, and changes
/// nothing.
pub async fn cold_starts(app: &TestApp) -> Vec<String> {
    let template = Template::load(app.system.template()).expect("the template parses");
    let mut failed = Vec::new();
    for (logical_id, _) in template.of_type("AWS::Serverless::Function") {
        let invocation = app.stack.invoke(logical_id, "{}".into()).await.expect("the function exists");
        if let devstack::lambda::Outcome::Error(error) = invocation.outcome {
            let text = error.to_string();
            if text.contains("Runtime.ExitError") || text.contains("environment variable") || text.contains("init") {
                failed.push(format!("{logical_id}: {text}"));
            }
        }
    }
    failed
}

/// The HTTP routes of `template`'s functions, sorted: `"METHOD /path"`, followed by
/// `" (public)"` when the route's `Auth.Authorizer` is `NONE` (no token needed).
pub fn http_routes(template: &Template) -> Vec<String> {
    let mut routes = Vec::new();
    for (_, function) in functions(template) {
        for event in function["Properties"]["Events"].as_object().into_iter().flatten().map(|(_, e)| e) {
            if event["Type"] == "HttpApi" {
                let props = &event["Properties"];
                let public = if props["Auth"]["Authorizer"] == "NONE" { " (public)" } else { "" };
                let (method, path) = (props["Method"].as_str().unwrap_or("?"), props["Path"].as_str().unwrap_or("?"));
                routes.push(format!("{method} {path}{public}"));
            }
        }
    }
    routes.sort();
    routes
}

/// Which function may invoke which: every function with a policy statement allowing
/// `lambda:InvokeFunction`, mapped to that statement's `Resource` `!Ref` (e.g.
/// `"PayFunction.Alias"`, the alias, so a canary covers the call too; `"?"` when the
/// resource is not a `!Ref`; the last such statement when a function has several).
pub fn invokers(template: &Template) -> BTreeMap<String, String> {
    let mut invokers = BTreeMap::new();
    for (logical_id, statement) in statements(template) {
        if statement["Action"].to_string().contains("lambda:InvokeFunction") {
            invokers.insert(logical_id.clone(), statement["Resource"]["Ref"].as_str().unwrap_or("?").to_owned());
        }
    }
    invokers
}

/// Every policy statement of a function whose `Action` holds a wildcard (`*`), as
/// `"<Function> has a wildcard action: <actions>"`; empty when every action is named.
pub fn wildcard_actions(template: &Template) -> Vec<String> {
    statements(template)
        .filter_map(|(logical_id, statement)| {
            let actions = statement["Action"].to_string();
            actions.contains('*').then(|| format!("{logical_id} has a wildcard action: {actions}"))
        })
        .collect()
}

/// The dead-letter queues of `template`, sorted and once each: every queue an SQS queue's
/// `RedrivePolicy.deadLetterTargetArn` or a stream mapping's on-failure destination names.
pub fn dead_letter_queues(template: &Template) -> Vec<String> {
    let mut queues: BTreeSet<&str> = on_failure_queues(template);
    queues.extend(template.of_type("AWS::SQS::Queue").filter_map(|(_, queue)| {
        queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0].as_str()
    }));
    queues.into_iter().map(str::to_owned).collect()
}

/// What `template`'s `Outputs` lack for an operator to sign in and find the data; empty when
/// nothing: `UserPoolId`, `UserPoolClientId` and `OperationsTopicArn` are `!Ref`s to
/// `UserPool`, `UserPoolClient` and `OperationsAlarmTopic`; every table `<Table>` has an output
/// `<Table>Name` (`!Ref <Table>`); every dead-letter queue `<Queue>` ([`dead_letter_queues`])
/// has an output `<Queue>Url` (`!Ref <Queue>`) and an alarm `<Queue>Alarm`.
pub fn operator_outputs(template: &Template) -> Vec<String> {
    let mut findings = Vec::new();
    let mut expect = |output: String, target: &str| match &template.outputs.get(&output) {
        None => findings.push(format!("no output {output}")),
        Some(value) if value["Value"]["Ref"] != target => {
            findings.push(format!("output {output} is {}, not !Ref {target}", value["Value"]));
        }
        Some(_) => {}
    };
    expect("UserPoolId".to_owned(), "UserPool");
    expect("UserPoolClientId".to_owned(), "UserPoolClient");
    expect("OperationsTopicArn".to_owned(), "OperationsAlarmTopic");
    for (table, _) in template.of_type("AWS::DynamoDB::Table") {
        expect(format!("{table}Name"), table);
    }
    let queues = dead_letter_queues(template);
    for queue in &queues {
        expect(format!("{queue}Url"), queue);
    }
    for queue in &queues {
        if !template.resources.contains_key(&format!("{queue}Alarm")) {
            findings.push(format!("the dead-letter queue {queue} has no alarm {queue}Alarm"));
        }
    }
    findings
}

/// Every policy statement of every function, with the function's logical id.
fn statements(template: &Template) -> impl Iterator<Item = (&String, &Value)> {
    functions(template).into_iter().flat_map(|(logical_id, function)| {
        function["Properties"]["Policies"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|policy| policy["Statement"].as_array().into_iter().flatten())
            .map(move |statement| (logical_id, statement))
    })
}

fn functions(template: &Template) -> Vec<(&String, &Value)> {
    template.of_type("AWS::Serverless::Function").collect()
}

fn code_dir(system: &System, function: &Value) -> Option<PathBuf> {
    let code_uri = function["Properties"]["CodeUri"].as_str()?;
    let dir = system.template().parent()?.join(code_uri);
    dir.canonicalize().ok()
}

/// Bin targets of every workspace package: (binary name, package manifest folder).
fn workspace_binaries(workspace: &Path) -> Vec<(String, PathBuf)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .current_dir(workspace)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON");
    let mut binaries = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap_or_default());
        let dir = manifest.parent().map(Path::to_owned).unwrap_or_default();
        for target in package["targets"].as_array().into_iter().flatten() {
            if target["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bin")) {
                binaries.push((target["name"].as_str().unwrap_or_default().to_owned(), dir.clone()));
            }
        }
    }
    binaries
}

fn binaries(system: &System, template: &Template, findings: &mut Vec<String>) {
    let workspace = devstack::system::workspace_of(system.root()).expect("the system is in a cargo workspace");
    let all = workspace_binaries(&workspace);
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for (name, dir) in &all {
        if let Some(other) = seen.insert(name, dir) {
            findings.push(format!("binary {name} is defined by both {} and {}", other.display(), dir.display()));
        }
    }
    for (logical_id, function) in functions(template) {
        let Some(binary) = function["Metadata"]["BuildProperties"]["Binary"].as_str() else {
            findings.push(format!("{logical_id} has no Metadata.BuildProperties.Binary"));
            continue;
        };
        let Some(dir) = code_dir(system, function) else {
            findings.push(format!("{logical_id}: its CodeUri is not a folder"));
            continue;
        };
        if !all.iter().any(|(name, package)| name == binary && *package == dir) {
            findings.push(format!("{logical_id}: the package at {} has no binary {binary}", dir.display()));
        }
    }
}

/// Variable names a source file reads through `platform::config` (outside its
/// `#[cfg(test)]` module), including those the platform's named accessors read.
fn variables_read(source: &Path) -> BTreeSet<String> {
    let pattern = regex::Regex::new(r#"(?:required|required_parsed|optional_parsed)(?:::<[^>]+>)?\(\s*"([A-Z0-9_]+)""#)
        .expect("the pattern compiles");
    let text = std::fs::read_to_string(source).unwrap_or_default();
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found: BTreeSet<String> = pattern.captures_iter(text).map(|c| c[1].to_owned()).collect();
    let accessors: [(&str, &[&str]); 3] = [
        ("outbox_retention()", &["OUTBOX_RETENTION_DAYS"]),
        ("sync_call_timeout()", &["SYNC_CALL_TIMEOUT_MS"]),
        // The outbox relay (its optional OUTBOX_SWEEP_GRACE_SECONDS has a default).
        ("Relay::from_env()", &["TOPIC_ARN", "OUTBOX_TABLE"]),
    ];
    for (accessor, variables) in accessors {
        if text.contains(accessor) {
            found.extend(variables.iter().map(|v| (*v).to_owned()));
        }
    }
    found
}

/// Where a function's configuration is read: its binary's source, exactly; the crate's
/// `src/wiring.rs` (typed configuration per function), for some function of the crate.
fn variables(system: &System, template: &Template, findings: &mut Vec<String>) {
    let names = |value: &Value| -> BTreeSet<String> {
        value["Environment"]["Variables"].as_object().map(|v| v.keys().cloned().collect()).unwrap_or_default()
    };
    let globals = names(&template.globals["Function"]);
    let mut set_per_crate: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for (logical_id, function) in functions(template) {
        let Some(dir) = code_dir(system, function) else { continue };
        let set: BTreeSet<String> = names(&function["Properties"]).union(&globals).cloned().collect();
        if let Some(binary) = function["Metadata"]["BuildProperties"]["Binary"].as_str() {
            for variable in variables_read(&dir.join("src/bin").join(format!("{binary}.rs"))) {
                if !set.contains(&variable) {
                    findings.push(format!("{logical_id} reads {variable}, which the template does not set for it"));
                }
            }
        }
        set_per_crate.entry(dir).or_default().extend(set);
    }
    for (dir, set) in &set_per_crate {
        for variable in variables_read(&dir.join("src/wiring.rs")) {
            if !set.contains(&variable) {
                findings
                    .push(format!("{}/src/wiring.rs reads {variable}, which no function of it sets", dir.display()));
            }
        }
    }
}

fn routes(template: &Template, findings: &mut Vec<String>) {
    let apis: Vec<&String> = template.of_type("AWS::Serverless::HttpApi").map(|(id, _)| id).collect();
    let mut routes: BTreeMap<String, String> = BTreeMap::new();
    for (logical_id, function) in functions(template) {
        for (name, event) in function["Properties"]["Events"].as_object().into_iter().flatten() {
            if event["Type"] != "HttpApi" {
                continue;
            }
            let props = &event["Properties"];
            let api = props["ApiId"]["Ref"].as_str().unwrap_or_default();
            if apis.len() != 1 || api != apis[0].as_str() {
                findings.push(format!("{logical_id}.{name} must be a route of the one HTTP API"));
            }
            let route =
                format!("{} {}", props["Method"].as_str().unwrap_or("?"), props["Path"].as_str().unwrap_or("?"));
            if let Some(other) = routes.insert(route.clone(), logical_id.clone()) {
                findings.push(format!("{route} is served by both {other} and {logical_id}"));
            }
        }
    }
}

/// Every difference between `operations` (an OpenAPI document's, as
/// `platform::openapi::operations` lists them: `(METHOD, path, public)`) and the HTTP routes
/// of `system`'s template: a route the document lacks, an operation no route serves, or a
/// route whose authorization differs (public in one, protected in the other). Empty when
/// they agree.
///
/// # Panics
/// When the template does not parse.
pub fn openapi_routes(system: &System, operations: &[(String, String, bool)]) -> Vec<String> {
    let template = Template::load(system.template()).expect("the template parses");
    let mut routes: BTreeMap<(String, String), bool> = BTreeMap::new();
    for (_, function) in functions(&template) {
        for event in function["Properties"]["Events"].as_object().into_iter().flatten().map(|(_, e)| e) {
            if event["Type"] == "HttpApi" {
                let props = &event["Properties"];
                let public = props["Auth"]["Authorizer"] == "NONE";
                let method = props["Method"].as_str().unwrap_or("?").to_ascii_uppercase();
                routes.insert((method, props["Path"].as_str().unwrap_or("?").to_owned()), public);
            }
        }
    }
    let operations: BTreeMap<(String, String), bool> =
        operations.iter().map(|(method, path, public)| ((method.clone(), path.clone()), *public)).collect();
    let mut findings = Vec::new();
    for ((method, path), public) in &routes {
        match operations.get(&(method.clone(), path.clone())) {
            None => findings.push(format!("the document lacks the route {method} {path}")),
            Some(documented) if documented != public => findings.push(format!(
                "{method} {path} is {} in the template but {} in the document",
                if *public { "public" } else { "protected" },
                if *documented { "public" } else { "protected" }
            )),
            Some(_) => {}
        }
    }
    for (method, path) in operations.keys() {
        if !routes.contains_key(&(method.clone(), path.clone())) {
            findings.push(format!("the document has {method} {path}, which no route serves"));
        }
    }
    findings
}

fn mappings(template: &Template, findings: &mut Vec<String>) {
    for (logical_id, function) in functions(template) {
        for (name, event) in function["Properties"]["Events"].as_object().into_iter().flatten() {
            let props = &event["Properties"];
            let at = format!("{logical_id}.{name}");
            let reports = props["FunctionResponseTypes"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "ReportBatchItemFailures"));
            match event["Type"].as_str().unwrap_or_default() {
                "DynamoDB" => {
                    if !reports {
                        findings.push(format!("{at} must use ReportBatchItemFailures"));
                    }
                    if !props["FilterCriteria"]["Filters"].is_array() {
                        findings.push(format!("{at} must filter its stream"));
                    }
                    if !props["DestinationConfig"]["OnFailure"].is_object() {
                        findings.push(format!("{at} needs an on-failure destination"));
                    }
                    if !props["MaximumRetryAttempts"].is_number() {
                        findings.push(format!("{at} must bound its retries"));
                    }
                }
                "SQS" => {
                    if !reports {
                        findings.push(format!("{at} must use ReportBatchItemFailures"));
                    }
                    if !props["ScalingConfig"]["MaximumConcurrency"].is_number() {
                        findings.push(format!("{at} needs a maximum concurrency"));
                    }
                    match props["Queue"]["Fn::GetAtt"][0].as_str() {
                        Some(queue) => {
                            let policy = &template.resources[queue]["Properties"]["RedrivePolicy"];
                            if !policy["deadLetterTargetArn"].is_object() {
                                findings.push(format!("queue {queue} (read by {at}) needs a dead-letter queue"));
                            }
                        }
                        None => findings.push(format!("{at}: Queue must be !GetAtt <Queue>.Arn")),
                    }
                }
                _ => {}
            }
        }
    }
}

fn tables(template: &Template, findings: &mut Vec<String>) {
    for (logical_id, table) in template.of_type("AWS::DynamoDB::Table") {
        let props = &table["Properties"];
        if props["StreamSpecification"]["StreamViewType"] != "NEW_IMAGE" {
            findings.push(format!("table {logical_id} needs a NEW_IMAGE stream (the outbox relay reads it)"));
        }
        if props["TimeToLiveSpecification"]["AttributeName"] != "expiresAt" {
            findings.push(format!("table {logical_id} needs TTL on expiresAt (outbox and inbox items expire)"));
        }
        if props["BillingMode"] != "PAY_PER_REQUEST" {
            findings.push(format!("table {logical_id} should bill PAY_PER_REQUEST"));
        }
        for policy in ["DeletionPolicy", "UpdateReplacePolicy"] {
            if table[policy] != "Retain" {
                findings.push(format!("table {logical_id} needs {policy}: Retain (its data must outlive the stack)"));
            }
        }
        let recovery = &props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"];
        if *recovery != Value::Bool(true) && *recovery != "true" {
            findings.push(format!("table {logical_id} needs point-in-time recovery"));
        }
    }
}

/// The log group a `LogGroup` / `DestinationArn` value names, when it is a `!Ref` or
/// `!GetAtt <group>.Arn` of an `AWS::Logs::LogGroup` of the template with a retention.
fn log_group<'a>(template: &'a Template, value: &Value, at: &str, findings: &mut Vec<String>) -> Option<&'a str> {
    let target = value["Ref"].as_str().or_else(|| value["Fn::GetAtt"][0].as_str());
    let Some((id, group)) = target.and_then(|id| template.resources.get_key_value(id)) else {
        findings.push(format!("{at} must name a log group of the template (!Ref or !GetAtt <group>.Arn)"));
        return None;
    };
    if group["Type"] != "AWS::Logs::LogGroup" {
        findings.push(format!("{at} names {id}, which is not an AWS::Logs::LogGroup"));
        return None;
    }
    if group["Properties"]["RetentionInDays"].is_null() {
        findings.push(format!("log group {id} ({at}) needs a RetentionInDays"));
    }
    Some(id.as_str())
}

fn logs(template: &Template, findings: &mut Vec<String>) {
    let global = &template.globals.get("Function").unwrap_or(&Value::Null)["LoggingConfig"];
    let mut used: BTreeMap<&str, &str> = BTreeMap::new();
    for (logical_id, function) in functions(template) {
        let own = &function["Properties"]["LoggingConfig"];
        let setting = |key: &str| if own[key].is_null() { &global[key] } else { &own[key] };
        if setting("LogFormat") != "JSON" {
            findings.push(format!("{logical_id} must log JSON (LoggingConfig.LogFormat)"));
        }
        if setting("ApplicationLogLevel").is_null() {
            findings.push(format!("{logical_id} needs a LoggingConfig.ApplicationLogLevel"));
        }
        let at = format!("{logical_id}.LoggingConfig.LogGroup");
        if let Some(group) = log_group(template, setting("LogGroup"), &at, findings)
            && let Some(other) = used.insert(group, logical_id)
        {
            findings.push(format!("{other} and {logical_id} share the log group {group}"));
        }
    }
    for (logical_id, api) in template.of_type("AWS::Serverless::HttpApi") {
        let settings = &api["Properties"]["AccessLogSettings"];
        if settings["Format"].is_null() {
            findings.push(format!("{logical_id} needs an access log (AccessLogSettings with a Format)"));
        }
        log_group(template, &settings["DestinationArn"], &format!("{logical_id}.AccessLogSettings"), findings);
    }
}

fn encryption(template: &Template, findings: &mut Vec<String>) {
    for (logical_id, topic) in template.of_type("AWS::SNS::Topic") {
        if topic["Properties"]["KmsMasterKeyId"].is_null() {
            findings.push(format!("topic {logical_id} must be encrypted (KmsMasterKeyId)"));
        }
    }
    for (logical_id, queue) in template.of_type("AWS::SQS::Queue") {
        let props = &queue["Properties"];
        let managed = props["SqsManagedSseEnabled"] == Value::Bool(true) || props["SqsManagedSseEnabled"] == "true";
        if !managed && props["KmsMasterKeyId"].is_null() {
            findings.push(format!("queue {logical_id} must be encrypted (SqsManagedSseEnabled or KmsMasterKeyId)"));
        }
    }
}

/// X-Ray: every function traced (its own `Tracing` or Globals'), and a topic with active
/// tracing needs the account's X-Ray resource policy letting `sns.amazonaws.com` write its
/// segments (else SNS drops its part of every trace).
fn tracing(template: &Template, findings: &mut Vec<String>) {
    let global = &template.globals.get("Function").map_or(&Value::Null, |g| &g["Tracing"]);
    for (logical_id, function) in functions(template) {
        let own = &function["Properties"]["Tracing"];
        let tracing = if own.is_null() { global } else { own };
        if *tracing != "Active" {
            findings.push(format!("{logical_id} needs Tracing: Active (X-Ray), its own or Globals'"));
        }
    }
    let traced_topics: Vec<&String> = template
        .of_type("AWS::SNS::Topic")
        .filter(|(_, topic)| topic["Properties"]["TracingConfig"] == "Active")
        .map(|(id, _)| id)
        .collect();
    let sns_may_write = template.of_type("AWS::XRay::ResourcePolicy").any(|(_, policy)| {
        let document = policy["Properties"]["PolicyDocument"].to_string();
        document.contains("sns.amazonaws.com") && document.contains("xray:PutTraceSegments")
    });
    if let Some(first) = traced_topics.first()
        && !sns_may_write
    {
        findings.push(format!(
            "topic {first} has active tracing but no AWS::XRay::ResourcePolicy lets sns.amazonaws.com xray:PutTraceSegments"
        ));
    }
}

/// `sam build`: every function built by the system's Makefile (`BuildMethod: makefile`,
/// `ContextPath: ..`), which compiles the system's binaries once (`scripts/sam-build.mk`).
fn builds(system: &System, template: &Template, findings: &mut Vec<String>) {
    for (logical_id, function) in functions(template) {
        let metadata = &function["Metadata"];
        if metadata["BuildMethod"] != "makefile" || metadata["ContextPath"] != ".." {
            findings.push(format!("{logical_id} must build with BuildMethod: makefile and ContextPath: .."));
        }
    }
    if !system.root().join("Makefile").is_file() {
        findings.push("the system has no Makefile (sam build's makefile method)".to_owned());
    }
}

/// The outbox relay's safety net: a sweep on a schedule, over the table's `Unpublished`
/// index (`platform::outbox`).
fn outbox_relays(template: &Template, findings: &mut Vec<String>) {
    for (logical_id, function) in functions(template) {
        if function["Metadata"]["BuildProperties"]["Binary"] != "outbox-relay" {
            continue;
        }
        let events: Vec<&Value> =
            function["Properties"]["Events"].as_object().into_iter().flatten().map(|(_, e)| e).collect();
        if !events.iter().any(|e| e["Type"] == "Schedule" || e["Type"] == "ScheduleV2") {
            findings.push(format!("{logical_id} needs a Schedule event (the outbox sweep)"));
        }
        for event in events.iter().filter(|e| e["Type"] == "DynamoDB") {
            let Some(table) = event["Properties"]["Stream"]["Fn::GetAtt"][0].as_str() else { continue };
            let indexes = &template.resources[table]["Properties"]["GlobalSecondaryIndexes"];
            let has_index = indexes.as_array().into_iter().flatten().any(|index| {
                index["IndexName"] == "Unpublished"
                    && index["KeySchema"][0]["AttributeName"] == "outboxPending"
                    && index["KeySchema"][1]["AttributeName"] == "outboxSince"
            });
            if !has_index {
                findings.push(format!(
                    "table {table} (relayed by {logical_id}) needs the Unpublished index on outboxPending/outboxSince"
                ));
            }
        }
    }
}

fn sample_events(system: &System, template: &Template, findings: &mut Vec<String>) {
    let Ok(index) = std::fs::read_to_string(system.events_dir().join("README.md")) else {
        findings.push("events/README.md (the index of sample events) is missing".to_owned());
        return;
    };
    for (logical_id, _) in functions(template) {
        let Some(line) = index.lines().find(|l| l.contains(&format!("`{logical_id}`"))) else {
            findings.push(format!("events/README.md does not list {logical_id}"));
            continue;
        };
        let files: Vec<&str> = line.split('`').filter(|part| part.ends_with(".json")).collect();
        if files.is_empty() {
            findings.push(format!("no sample event for {logical_id}"));
        }
        for file in files {
            match system.event_text(file) {
                Ok(text) if serde_json::from_str::<Value>(&text).is_ok() => {}
                Ok(_) => findings.push(format!("events/{file} is not JSON")),
                Err(_) => findings.push(format!("events/{file} is missing")),
            }
        }
    }
}

/// The alarm (logical id) that watches `metric` of `namespace` with the dimension `name`
/// equal to `value` (as written in the template: `{"Ref": ..}`, `{"Fn::GetAtt": ..}`).
fn alarm_on<'a>(template: &'a Template, namespace: &str, metric: &str, name: &str, value: &Value) -> Option<&'a str> {
    template
        .of_type("AWS::CloudWatch::Alarm")
        .find(|(_, alarm)| {
            let props = &alarm["Properties"];
            props["Namespace"] == namespace
                && props["MetricName"] == metric
                && props["Dimensions"]
                    .as_array()
                    .is_some_and(|dimensions| dimensions.iter().any(|d| d["Name"] == name && d["Value"] == *value))
        })
        .map(|(id, _)| id.as_str())
}

fn reference(id: &str) -> Value {
    serde_json::json!({ "Ref": id })
}

fn queue_name(id: &str) -> Value {
    serde_json::json!({ "Fn::GetAtt": [id, "QueueName"] })
}

/// The queues stream mappings send what exhausts their retries to.
fn on_failure_queues(template: &Template) -> BTreeSet<&str> {
    functions(template)
        .into_iter()
        .flat_map(|(_, function)| function["Properties"]["Events"].as_object().into_iter().flatten())
        .filter_map(|(_, event)| {
            event["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0].as_str()
        })
        .collect()
}

fn invokes_functions(function: &Value) -> bool {
    function["Properties"]["Policies"].as_array().into_iter().flatten().any(|policy| {
        policy["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["Action"].to_string().contains("lambda:InvokeFunction"))
    })
}

fn alarms(template: &Template, findings: &mut Vec<String>) {
    let topic = template.outputs.get("OperationsTopicArn").and_then(|o| o["Value"]["Ref"].as_str());
    match topic {
        Some(topic) if template.type_of(topic) == Some("AWS::SNS::Topic") => {}
        _ => findings.push("Outputs.OperationsTopicArn must be !Ref <the operations topic>".to_owned()),
    }
    let parameter = |value: &Value| value["Ref"].as_str().is_some_and(|p| template.parameters.contains_key(p));
    for (logical_id, alarm) in template.of_type("AWS::CloudWatch::Alarm") {
        let props = &alarm["Properties"];
        for actions in ["AlarmActions", "OKActions"] {
            let notifies = topic.is_some_and(|topic| {
                props[actions].as_array().is_some_and(|a| a.iter().any(|action| *action == reference(topic)))
            });
            if !notifies {
                findings.push(format!("alarm {logical_id} must notify the operations topic in {actions}"));
            }
        }
        if !parameter(&props["Threshold"]) {
            findings.push(format!("alarm {logical_id}: its Threshold must be a !Ref to a parameter"));
        }
        if !props["Period"].is_null() && !parameter(&props["Period"]) {
            findings.push(format!("alarm {logical_id}: its Period must be a !Ref to a parameter"));
        }
    }
    let mut watch = |namespace: &str, metric: &str, name: &str, value: Value, what: String| {
        if alarm_on(template, namespace, metric, name, &value).is_none() {
            findings.push(format!("{what} has no {metric} alarm ({namespace}, {name})"));
        }
    };
    let mut calls_others = false;
    for (logical_id, function) in functions(template) {
        for metric in ["Errors", "Throttles"] {
            watch("AWS/Lambda", metric, "FunctionName", reference(logical_id), format!("function {logical_id}"));
        }
        let events = function["Properties"]["Events"].as_object().into_iter().flatten();
        if events.map(|(_, e)| &e["Type"]).any(|t| t == "DynamoDB" || t == "Kinesis") {
            watch(
                "AWS/Lambda",
                "IteratorAge",
                "FunctionName",
                reference(logical_id),
                format!("stream-triggered function {logical_id}"),
            );
        }
        calls_others |= invokes_functions(function);
    }
    for (logical_id, queue) in template.of_type("AWS::SQS::Queue") {
        let Some(dead_letters) = queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0].as_str()
        else {
            continue;
        };
        let (age, depth) = ("ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesVisible");
        watch("AWS/SQS", age, "QueueName", queue_name(logical_id), format!("inbox queue {logical_id}"));
        watch("AWS/SQS", depth, "QueueName", queue_name(dead_letters), format!("dead-letter queue {dead_letters}"));
    }
    for queue in on_failure_queues(template) {
        let what = format!("on-failure queue {queue}");
        watch("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue_name(queue), what);
    }
    for (logical_id, _) in template.of_type("AWS::Serverless::HttpApi") {
        for metric in ["5xx", "Latency"] {
            watch("AWS/ApiGateway", metric, "ApiId", reference(logical_id), format!("HTTP API {logical_id}"));
        }
    }
    let breaker =
        template.of_type("AWS::CloudWatch::Alarm").any(|(_, a)| a["Properties"]["MetricName"] == "BreakerOpened");
    if calls_others && !breaker {
        findings
            .push("functions invoke others through the circuit breaker, but no alarm watches BreakerOpened".to_owned());
    }
}

/// The texts of every dashboard body (`Fn::Sub`'s text, or a plain string).
fn dashboard_bodies(template: &Template) -> Vec<&str> {
    template
        .of_type("AWS::CloudWatch::Dashboard")
        .filter_map(|(_, dashboard)| {
            let body = &dashboard["Properties"]["DashboardBody"];
            body.as_str().or_else(|| body["Fn::Sub"].as_str()).or_else(|| body["Fn::Sub"][0].as_str())
        })
        .collect()
}

fn dashboards(template: &Template, findings: &mut Vec<String>) {
    let bodies = dashboard_bodies(template);
    let shown = |placeholder: &str| bodies.iter().any(|body| body.contains(placeholder));
    for (logical_id, _) in functions(template) {
        if !shown(&format!("${{{logical_id}}}")) {
            findings.push(format!("no dashboard shows function {logical_id} (${{{logical_id}}})"));
        }
    }
    for (logical_id, _) in template.of_type("AWS::SQS::Queue") {
        if !shown(&format!("${{{logical_id}.QueueName}}")) {
            findings.push(format!("no dashboard shows queue {logical_id} (${{{logical_id}.QueueName}})"));
        }
    }
    for (logical_id, _) in template.of_type("AWS::Serverless::HttpApi") {
        if !shown(&format!("${{{logical_id}}}")) {
            findings.push(format!("no dashboard shows HTTP API {logical_id} (${{{logical_id}}})"));
        }
    }
}

/// A function's `key`, `Globals` merged as SAM merges them: maps merged key by key
/// (recursively), lists appended (the globals' first), any other value the function's.
fn merged(global: &Value, own: &Value) -> Value {
    let intrinsic = |v: &Value| v.as_object().is_some_and(|o| o.keys().any(|k| k == "Ref" || k.starts_with("Fn::")));
    match (global, own) {
        (global, Value::Null) => global.clone(),
        (Value::Object(g), Value::Object(o)) if !intrinsic(global) && !intrinsic(own) => {
            let mut out = g.clone();
            for (key, value) in o {
                let merged_value = merged(g.get(key).unwrap_or(&Value::Null), value);
                out.insert(key.clone(), merged_value);
            }
            Value::Object(out)
        }
        (Value::Array(g), Value::Array(o)) => Value::Array(g.iter().chain(o).cloned().collect()),
        (_, own) => own.clone(),
    }
}

/// Whether `value` names a function of the template without its alias (`!Ref F`,
/// `!GetAtt F.Arn`, `!Sub ${F}`), which would bypass the canary.
fn unaliased_function<'a>(template: &'a Template, value: &'a Value) -> Option<&'a str> {
    let target = value["Ref"].as_str().or_else(|| value["Fn::GetAtt"][0].as_str())?;
    (template.type_of(target) == Some("AWS::Serverless::Function")).then_some(target)
}

fn deploys(template: &Template, findings: &mut Vec<String>) {
    let global = template.globals.get("Function").cloned().unwrap_or(Value::Null);
    let api_alarms: Vec<&str> = template
        .of_type("AWS::Serverless::HttpApi")
        .filter_map(|(id, _)| alarm_on(template, "AWS/ApiGateway", "5xx", "ApiId", &reference(id)))
        .collect();
    for (logical_id, function) in functions(template) {
        let props = &function["Properties"];
        if merged(&global["AutoPublishAlias"], &props["AutoPublishAlias"]).is_null() {
            findings.push(format!("{logical_id} needs an AutoPublishAlias (its own or Globals')"));
        }
        let preference = merged(&global["DeploymentPreference"], &props["DeploymentPreference"]);
        if preference["Type"].is_null() {
            findings.push(format!("{logical_id} needs a DeploymentPreference with a Type"));
        }
        let rollback: Vec<&Value> = preference["Alarms"].as_array().into_iter().flatten().collect();
        let own = alarm_on(template, "AWS/Lambda", "Errors", "FunctionName", &reference(logical_id));
        for alarm in own.into_iter().chain(api_alarms.iter().copied()) {
            if !rollback.contains(&&reference(alarm)) {
                findings.push(format!("{logical_id}: DeploymentPreference.Alarms must include {alarm}"));
            }
        }
        if own.is_none() {
            findings
                .push(format!("{logical_id}: DeploymentPreference.Alarms has no Errors alarm of its own to include"));
        }
        let variables = props["Environment"]["Variables"].as_object().into_iter().flatten();
        for (name, value) in variables {
            if let Some(target) = unaliased_function(template, value) {
                findings.push(format!("{logical_id}.{name} passes {target} itself: use !Ref {target}.Alias"));
            }
        }
        for policy in props["Policies"].as_array().into_iter().flatten() {
            for statement in policy["Statement"].as_array().into_iter().flatten() {
                let resources = match &statement["Resource"] {
                    Value::Array(list) => list.iter().collect(),
                    one => vec![one],
                };
                for target in resources.into_iter().filter_map(|r| unaliased_function(template, r)) {
                    findings.push(format!("{logical_id} is granted {target} itself: grant !Ref {target}.Alias"));
                }
            }
        }
    }
    for kind in ["AWS::Lambda::EventSourceMapping", "AWS::Lambda::Permission"] {
        for (logical_id, resource) in template.of_type(kind) {
            if let Some(target) = unaliased_function(template, &resource["Properties"]["FunctionName"]) {
                findings.push(format!("{logical_id} names {target} itself: use !Ref {target}.Alias"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test unwraps what must hold

    use super::*;

    const KEPT: &str = r#"
Globals:
  Function:
    LoggingConfig: { LogFormat: JSON, ApplicationLogLevel: INFO }
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      AccessLogSettings: { DestinationArn: !GetAtt ApiLogs.Arn, Format: '{"requestId":"$context.requestId"}' }
  ApiLogs: { Type: AWS::Logs::LogGroup, Properties: { RetentionInDays: 30 } }
  FnLogs: { Type: AWS::Logs::LogGroup, Properties: { RetentionInDays: 30 } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      LoggingConfig: { LogGroup: !Ref FnLogs }
  Table:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BillingMode: PAY_PER_REQUEST
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }
      StreamSpecification: { StreamViewType: NEW_IMAGE }
      TimeToLiveSpecification: { AttributeName: expiresAt, Enabled: true }
  Topic: { Type: AWS::SNS::Topic, Properties: { KmsMasterKeyId: alias/aws/sns } }
  Queue: { Type: AWS::SQS::Queue, Properties: { SqsManagedSseEnabled: true } }
"#;

    fn findings(text: &str) -> Vec<String> {
        let template = Template::parse(text).unwrap();
        let mut findings = Vec::new();
        tables(&template, &mut findings);
        logs(&template, &mut findings);
        encryption(&template, &mut findings);
        findings
    }

    #[test]
    fn a_template_that_keeps_the_rules_has_no_findings() {
        assert_eq!(findings(KEPT), Vec::<String>::new());
    }

    #[test]
    fn unprotected_tables_unlogged_functions_and_plain_topics_and_queues_are_found() {
        let broken = KEPT
            .replace("    DeletionPolicy: Retain\n", "")
            .replace("PointInTimeRecoveryEnabled: true", "PointInTimeRecoveryEnabled: false")
            .replace(", ApplicationLogLevel: INFO", "")
            .replace("RetentionInDays: 30 } }\n  Fn:", "LogGroupClass: STANDARD } }\n  Fn:")
            .replace("Format: '{\"requestId\":\"$context.requestId\"}'", "Other: 1")
            .replace("KmsMasterKeyId: alias/aws/sns", "DisplayName: plain")
            .replace("SqsManagedSseEnabled: true", "SqsManagedSseEnabled: false");
        let found = findings(&broken);
        for expected in [
            "table Table needs DeletionPolicy: Retain",
            "table Table needs point-in-time recovery",
            "Fn needs a LoggingConfig.ApplicationLogLevel",
            "log group FnLogs (Fn.LoggingConfig.LogGroup) needs a RetentionInDays",
            "Api needs an access log",
            "topic Topic must be encrypted",
            "queue Queue must be encrypted",
        ] {
            assert!(found.iter().any(|f| f.starts_with(expected)), "no finding {expected:?} in {found:#?}");
        }
        assert_eq!(found.len(), 7, "{found:#?}");
    }

    #[test]
    fn untraced_functions_and_traced_topics_sns_may_not_write_for_are_found() {
        let traced = r#"
Globals:
  Function: { Tracing: Active }
Resources:
  Fn: { Type: AWS::Serverless::Function }
  Topic: { Type: AWS::SNS::Topic, Properties: { TracingConfig: Active } }
  SnsTracing:
    Type: AWS::XRay::ResourcePolicy
    Properties:
      PolicyName: p
      PolicyDocument: '{"Statement":[{"Principal":{"Service":"sns.amazonaws.com"},"Action":["xray:PutTraceSegments"]}]}'
"#;
        let found = |text: &str| {
            let mut findings = Vec::new();
            tracing(&Template::parse(text).unwrap(), &mut findings);
            findings
        };
        assert_eq!(found(traced), Vec::<String>::new());
        let untraced = found(&traced.replace("Function: { Tracing: Active }", "Function: {}"));
        assert_eq!(untraced, ["Fn needs Tracing: Active (X-Ray), its own or Globals'"]);
        let no_policy = found(&traced.replace("sns.amazonaws.com", "lambda.amazonaws.com"));
        assert_eq!(no_policy.len(), 1, "{no_policy:?}");
        assert!(no_policy[0].starts_with("topic Topic has active tracing"), "{no_policy:?}");
    }

    /// One function read by a stream (with an on-failure queue) and calling another, one
    /// inbox with its dead-letter queue, the HTTP API: every alarm, dashboard row and deploy
    /// setting the rules ask for.
    const OPERATED: &str = r#"
Parameters:
  T: { Type: Number, Default: 1 }
  P: { Type: Number, Default: 60 }
Globals:
  Function:
    AutoPublishAlias: live
    DeploymentPreference: { Type: Canary10Percent5Minutes, Alarms: [!Ref ApiErrors] }
Outputs:
  OperationsTopicArn: { Value: !Ref Ops }
Resources:
  Ops: { Type: AWS::SNS::Topic }
  Api: { Type: AWS::Serverless::HttpApi }
  Relay:
    Type: AWS::Serverless::Function
    Properties:
      DeploymentPreference: { Alarms: [!Ref RelayErrors] }
      Environment: { Variables: { TARGET: !Ref Target.Alias } }
      Policies: [{ Statement: [{ Effect: Allow, Action: [lambda:InvokeFunction], Resource: !Ref Target.Alias }] }]
      Events:
        Stream: { Type: DynamoDB, Properties: { DestinationConfig: { OnFailure: { Destination: !GetAtt Failures.Arn } } } }
  Target:
    Type: AWS::Serverless::Function
    Properties:
      DeploymentPreference: { Alarms: [!Ref TargetErrors] }
  Inbox: { Type: AWS::SQS::Queue, Properties: { RedrivePolicy: { deadLetterTargetArn: !GetAtt Dead.Arn } } }
  Dead: { Type: AWS::SQS::Queue }
  Failures: { Type: AWS::SQS::Queue }
  RelayErrors: { Type: AWS::CloudWatch::Alarm, Properties: { Namespace: AWS/Lambda, MetricName: Errors, Dimensions: [{ Name: FunctionName, Value: !Ref Relay }], Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }
  RelayThrottles: { Type: AWS::CloudWatch::Alarm, Properties: { Namespace: AWS/Lambda, MetricName: Throttles, Dimensions: [{ Name: FunctionName, Value: !Ref Relay }], Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }
  RelayAge: { Type: AWS::CloudWatch::Alarm, Properties: { Namespace: AWS/Lambda, MetricName: IteratorAge, Dimensions: [{ Name: FunctionName, Value: !Ref Relay }], Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }
  TargetErrors: { Type: AWS::CloudWatch::Alarm, Properties: { Namespace: AWS/Lambda, MetricName: Errors, Dimensions: [{ Name: FunctionName, Value: !Ref Target }], Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }
  TargetThrottles: { Type: AWS::CloudWatch::Alarm, Properties: { Namespace: AWS/Lambda, MetricName: Throttles, Dimensions: [{ Name: FunctionName, Value: !Ref Target }], Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }
  InboxAge: { Type: AWS::CloudWatch::Alarm, Properties: { Namespace: AWS/SQS, MetricName: ApproximateAgeOfOldestMessage, Dimensions: [{ Name: QueueName, Value: !GetAtt Inbox.QueueName }], Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }
  DeadDepth: { Type: AWS::CloudWatch::Alarm, Properties: { Namespace: AWS/SQS, MetricName: ApproximateNumberOfMessagesVisible, Dimensions: [{ Name: QueueName, Value: !GetAtt Dead.QueueName }], Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }
  FailuresDepth: { Type: AWS::CloudWatch::Alarm, Properties: { Namespace: AWS/SQS, MetricName: ApproximateNumberOfMessagesVisible, Dimensions: [{ Name: QueueName, Value: !GetAtt Failures.QueueName }], Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }
  ApiErrors: { Type: AWS::CloudWatch::Alarm, Properties: { Namespace: AWS/ApiGateway, MetricName: 5xx, Dimensions: [{ Name: ApiId, Value: !Ref Api }], Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }
  ApiLatency: { Type: AWS::CloudWatch::Alarm, Properties: { Namespace: AWS/ApiGateway, MetricName: Latency, Dimensions: [{ Name: ApiId, Value: !Ref Api }], Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }
  Breaker: { Type: AWS::CloudWatch::Alarm, Properties: { Namespace: !Ref AWS::StackName, MetricName: BreakerOpened, Dimensions: [{ Name: Service, Value: x }], Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }
  Board:
    Type: AWS::CloudWatch::Dashboard
    Properties:
      DashboardBody: !Sub '${Relay} ${Target} ${Api} ${Inbox.QueueName} ${Dead.QueueName} ${Failures.QueueName}'
"#;

    fn operations(text: &str) -> Vec<String> {
        let template = Template::parse(text).unwrap();
        let mut findings = Vec::new();
        alarms(&template, &mut findings);
        dashboards(&template, &mut findings);
        deploys(&template, &mut findings);
        findings
    }

    #[test]
    fn an_operated_template_has_no_findings() {
        assert_eq!(operations(OPERATED), Vec::<String>::new());
    }

    #[test]
    fn a_function_that_loses_its_alarms_dashboard_row_or_canary_is_found() {
        let lost = OPERATED
            .lines()
            .filter(|line| !line.starts_with("  TargetErrors:") && !line.starts_with("  RelayAge:"))
            .collect::<Vec<_>>()
            .join("\n")
            .replace(" ${Target}", "")
            .replace("      DeploymentPreference: { Alarms: [!Ref TargetErrors] }\n", "")
            .replace("    AutoPublishAlias: live\n", "");
        let found = operations(&lost);
        for expected in [
            "function Target has no Errors alarm",
            "stream-triggered function Relay has no IteratorAge alarm",
            "no dashboard shows function Target",
            "Relay needs an AutoPublishAlias",
            "Target needs an AutoPublishAlias",
            "Target: DeploymentPreference.Alarms has no Errors alarm of its own",
        ] {
            assert!(found.iter().any(|f| f.starts_with(expected)), "no finding {expected:?} in {found:#?}");
        }
        assert_eq!(found.len(), 6, "{found:#?}");
    }

    #[test]
    fn alarms_that_notify_no_one_or_fix_their_thresholds_and_unaliased_calls_are_found() {
        let broken = OPERATED
            .replace("Threshold: !Ref T, Period: !Ref P, AlarmActions: [!Ref Ops], OKActions: [!Ref Ops] } }\n  RelayThrottles", "Threshold: 1, Period: 60, AlarmActions: [!Ref Ops] } }\n  RelayThrottles")
            .replace("DeploymentPreference: { Alarms: [!Ref RelayErrors] }", "DeploymentPreference: { Alarms: [] }")
            .replace("Alarms: [!Ref ApiErrors]", "Alarms: []")
            .replace("TARGET: !Ref Target.Alias", "TARGET: !Ref Target")
            .replace("Resource: !Ref Target.Alias", "Resource: !GetAtt Target.Arn")
            .replace("MetricName: 5xx", "MetricName: 4xx")
            .replace("Name: QueueName, Value: !GetAtt Dead.QueueName", "Name: QueueName, Value: !GetAtt Inbox.QueueName");
        let found = operations(&broken);
        for expected in [
            "alarm RelayErrors must notify the operations topic in OKActions",
            "alarm RelayErrors: its Threshold must be a !Ref to a parameter",
            "alarm RelayErrors: its Period must be a !Ref to a parameter",
            "Relay: DeploymentPreference.Alarms must include RelayErrors",
            "HTTP API Api has no 5xx alarm",
            "dead-letter queue Dead has no ApproximateNumberOfMessagesVisible alarm",
            "Relay.TARGET passes Target itself",
            "Relay is granted Target itself",
        ] {
            assert!(found.iter().any(|f| f.starts_with(expected)), "no finding {expected:?} in {found:#?}");
        }
        assert_eq!(found.len(), 8, "{found:#?}");
    }

    #[test]
    fn a_function_without_its_own_log_group_is_found() {
        let shared = KEPT.replace(
            "  Table:\n",
            "  Other:\n    Type: AWS::Serverless::Function\n    Properties:\n      LoggingConfig: { LogGroup: !Ref FnLogs }\n  Lone:\n    Type: AWS::Serverless::Function\n    Properties: {}\n  Table:\n",
        );
        let found = findings(&shared);
        assert!(found.iter().any(|f| f == "Fn and Other share the log group FnLogs"), "{found:#?}");
        assert!(found.iter().any(|f| f.starts_with("Lone.LoggingConfig.LogGroup must name a log group")), "{found:#?}");
    }

    #[test]
    fn routes_invokers_wildcards_and_operator_outputs_are_read_from_the_template() {
        let template = Template::parse(
            r#"
Resources:
  Items: { Type: AWS::DynamoDB::Table }
  Inbox: { Type: AWS::SQS::Queue, Properties: { RedrivePolicy: { deadLetterTargetArn: !GetAtt InboxDlq.Arn } } }
  InboxDlq: { Type: AWS::SQS::Queue }
  InboxDlqAlarm: { Type: AWS::CloudWatch::Alarm }
  Failures: { Type: AWS::SQS::Queue }
  ListFn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        List: { Type: HttpApi, Properties: { Method: GET, Path: /items, Auth: { Authorizer: NONE } } }
        Add: { Type: HttpApi, Properties: { Method: POST, Path: /items } }
        Stream: { Type: DynamoDB, Properties: { DestinationConfig: { OnFailure: { Destination: !GetAtt Failures.Arn } } } }
      Policies:
        - Statement:
            - { Effect: Allow, Action: lambda:InvokeFunction, Resource: !Ref CheckFn.Alias }
            - { Effect: Allow, Action: ["dynamodb:*"], Resource: "*" }
  CheckFn: { Type: AWS::Serverless::Function }
Outputs:
  UserPoolId: { Value: !Ref UserPool }
  UserPoolClientId: { Value: !Ref Other }
  ItemsName: { Value: !Ref Items }
  InboxDlqUrl: { Value: !Ref InboxDlq }
"#,
        )
        .unwrap();
        assert_eq!(http_routes(&template), ["GET /items (public)", "POST /items"]);
        let expected: BTreeMap<String, String> = [("ListFn".to_owned(), "CheckFn.Alias".to_owned())].into();
        assert_eq!(invokers(&template), expected);
        assert_eq!(wildcard_actions(&template), [r#"ListFn has a wildcard action: ["dynamodb:*"]"#]);
        assert_eq!(dead_letter_queues(&template), ["Failures", "InboxDlq"]);
        assert_eq!(
            operator_outputs(&template),
            [
                "output UserPoolClientId is {\"Ref\":\"Other\"}, not !Ref UserPoolClient",
                "no output OperationsTopicArn",
                "no output FailuresUrl",
                "the dead-letter queue Failures has no alarm FailuresAlarm",
            ]
        );
    }
}
