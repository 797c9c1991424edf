//! The whole local stack: emulators, resources, functions, HTTP API, event source
//! mappings, the Lambda API and the observers, started from one template.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use axum::body::Bytes;
use serde_json::json;

use crate::emulators::{Emulators, REGION};
use crate::esm::{Checkpoints, MappingSwitch};
use crate::gateway::{Gateway, Route};
use crate::lambda::{Function, FunctionSpec, Invocation, InvocationObserver};
use crate::model::{EventSource, FunctionModel, RuntimeSettings};
use crate::observe::{MessageLog, PublishedMessage};
use crate::template::{Naming, Resolver, Template};

/// How to start the stack.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// The SAM template.
    pub template: PathBuf,
    /// Folder for persistent state (DynamoDB file, stream checkpoints); `None` keeps
    /// everything in memory.
    pub state_dir: Option<PathBuf>,
    /// Delete the state folder's contents first.
    pub fresh: bool,
    /// Port of the HTTP API (0 picks a free one).
    pub api_port: u16,
    /// Port of the Lambda API and the control endpoints (0 picks a free one).
    pub lambda_port: u16,
    /// Folder with the function binaries.
    pub bin_dir: PathBuf,
    /// Template parameter overrides.
    pub parameters: HashMap<String, String>,
    /// Stack name, prefixed to physical resource names.
    pub stack_name: String,
    /// Concurrency limit of a function without `ReservedConcurrentExecutions`.
    pub default_concurrency: usize,
    /// Print function logs, invocation reports and SNS messages to the terminal.
    pub verbose: bool,
    /// Start event source mappings (off for `invoke`, which runs one function).
    pub event_source_mappings: bool,
    /// How many invocation reports and SNS messages the in-memory logs keep (the newest);
    /// [`crate::log::DEFAULT_CAPACITY`] is the usual value.
    pub log_capacity: usize,
    /// Forget the saved stream positions (a lost or torn positions file is otherwise a
    /// startup error): each stream mapping starts again from its `StartingPosition`.
    pub reset_stream_positions: bool,
    /// Put the DynamoDB metering proxy ([`crate::usage`]) between the functions and the
    /// embedded DynamoDB so `/_devstack/usage` counts read and write units per table. Off by
    /// default: the proxy adds about 1.6 ms to every DynamoDB call (debug build).
    pub meter_dynamodb: bool,
}

/// One line of the invocation report.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvocationReport {
    /// Function logical id.
    pub function: String,
    /// Duration in milliseconds.
    pub duration_ms: f64,
    /// Init duration in milliseconds when it was a cold start.
    pub init_ms: Option<f64>,
    /// Whether the function failed.
    pub error: bool,
}

/// A running local stack. Dropping it stops everything it started; from the moment the
/// drop returns it records no more stream positions.
pub struct Stack {
    /// Base URL of the HTTP API, e.g. `http://127.0.0.1:3000`.
    pub api_url: String,
    /// Base URL of the Lambda API (and `/_devstack/...` control endpoints).
    pub lambda_url: String,
    /// The embedded services.
    pub emulators: Emulators,
    functions: Arc<BTreeMap<String, Arc<Function>>>,
    switches: Arc<Vec<MappingSwitch>>,
    messages: MessageLog,
    reports: crate::log::BoundedLog<InvocationReport>,
    metrics: crate::metrics::MetricLog,
    hops: crate::trace::HopLog,
    topics: BTreeMap<String, String>,
    physical_names: BTreeMap<String, String>,
    checkpoints: Checkpoints,
    token_authorizer: Option<crate::auth::JwtAuthorizer>,
    _tasks: tokio::task::JoinSet<()>,
}

impl Stack {
    /// Starts the stack described by `options.template`.
    ///
    /// # Errors
    /// When the template is invalid, a binary is missing, or a port cannot be bound.
    pub async fn start(options: StackOptions) -> anyhow::Result<Self> {
        let template = Template::load(&options.template)?;
        if let Some(dir) = &options.state_dir {
            if options.fresh && dir.exists() {
                std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
            }
            std::fs::create_dir_all(dir)?;
        }
        let key = Arc::new(crate::auth::SigningKey::load_or_create(options.state_dir.as_deref())?);
        let dynamodb_file = options.state_dir.as_ref().map(|d| d.join("dynamodb.sqlite"));
        // Table data on disk from an earlier run of a template with stream mappings: its
        // stream positions must be on disk too.
        let has_streams = template.of_type("AWS::Serverless::Function").any(|(_, function)| {
            function["Properties"]["Events"]
                .as_object()
                .is_some_and(|events| events.values().any(|event| event["Type"] == "DynamoDB"))
        });
        let had_tables = has_streams && dynamodb_file.as_ref().is_some_and(|f| f.exists());
        // Loaded (and written) before the table file is created, so no crash can leave
        // table data without a positions file.
        let checkpoints = Checkpoints::load(
            options.state_dir.as_ref().map(|d| d.join("stream-checkpoints.json")),
            had_tables,
            options.reset_stream_positions,
        )?;
        let emulators = Emulators::start_durable(
            dynamodb_file.as_deref(),
            options.state_dir.as_ref().map(|d| d.join("sqs-journal.sqlite")).as_deref(),
            options.meter_dynamodb,
        )
        .await?;
        let naming = Naming {
            stack_name: options.stack_name.clone(),
            region: REGION.to_owned(),
            sqs_url: emulators.sqs_url.clone(),
        };
        let template = crate::template::apply_conditions(template, &naming, &options.parameters)?;
        let resolver = Resolver::new(&template, &naming, &options.parameters)?;
        crate::resources::create_all(&emulators, &template, &resolver).await?;
        let replayed = emulators.sqs.replay().await.context("replaying the SQS journal")?;
        if replayed > 0 {
            tracing::info!(messages = replayed, "queued messages restored from the SQS journal");
        }
        let physical_names: BTreeMap<String, String> =
            template.resources.keys().map(|id| (id.clone(), naming.physical_name(&template, id))).collect();

        let lambda_listener = tokio::net::TcpListener::bind(("127.0.0.1", options.lambda_port))
            .await
            .with_context(|| format!("binding the Lambda API to port {}", options.lambda_port))?;
        let lambda_url = format!("http://{}", lambda_listener.local_addr()?);
        let models = crate::model::functions(
            &template,
            &resolver,
            &emulators,
            &RuntimeSettings {
                bin_dir: &options.bin_dir,
                default_concurrency: options.default_concurrency,
                lambda_url: &lambda_url,
            },
        )?;
        for model in &models {
            if !model.spec.executable.exists() {
                anyhow::bail!(
                    "{}: binary {} not found in {} (build it with `cargo build --bin {}`)",
                    model.spec.logical_id,
                    model.binary,
                    options.bin_dir.display(),
                    model.binary
                );
            }
        }

        let reports = crate::log::BoundedLog::with_capacity(options.log_capacity);
        let hops: crate::trace::HopLog = crate::log::BoundedLog::with_capacity(options.log_capacity);
        // Every invocation's end wakes the stream mappings: whatever it wrote is on its
        // table's stream by then.
        let writes = crate::esm::Wake::default();
        let observer =
            report_observer(reports.clone(), hops.clone(), writes.clone(), emulators.usage.clone(), options.verbose);
        let functions: BTreeMap<String, Arc<Function>> = models
            .iter()
            .map(|m| {
                (
                    m.spec.logical_id.clone(),
                    Arc::new(Function::new(m.spec.clone(), Arc::clone(&observer), options.verbose)),
                )
            })
            .collect();
        let functions = Arc::new(functions);
        let metrics: crate::metrics::MetricLog = crate::log::BoundedLog::with_capacity(options.log_capacity);
        let metric_collector = crate::metrics::collector(metrics.clone());
        let usage = emulators.usage.clone();
        // One observer per function (only the first set counts): metrics and log bytes.
        let collector: crate::lambda::OutputObserver = Arc::new(move |spec: &FunctionSpec, line: &str| {
            metric_collector(spec, line);
            usage.log_line(&spec.logical_id, line);
        });
        for function in functions.values() {
            function.observe_output(Arc::clone(&collector));
        }

        let mut tasks = tokio::task::JoinSet::new();
        let (default_authorizer, authorizers) = http_authorizers(&template, &resolver, &key)?;
        let routes = http_routes(&models, &functions, default_authorizer.as_deref(), &authorizers)?;
        let token_authorizer = default_authorizer.as_ref().and_then(|name| authorizers.get(name)).cloned();
        let api_listener = tokio::net::TcpListener::bind(("127.0.0.1", options.api_port))
            .await
            .with_context(|| format!("binding the HTTP API to port {}", options.api_port))?;
        let api_url = format!("http://{}", api_listener.local_addr()?);
        // The issuers' JWKS and OpenID configuration, beside the routes (crate::auth).
        let issuers: Vec<crate::auth::JwtAuthorizer> = authorizers.values().cloned().collect();
        let api =
            crate::auth::discovery_router(&issuers, &api_url)
                .merge(crate::openapi::router(crate::openapi::document_of(&options.template), api_url.clone()))
                .merge(Gateway::new(routes).with_cors(crate::gateway::cors_of(&template, &resolver)?).router().layer(
                    axum::middleware::from_fn_with_state(emulators.usage.clone(), crate::usage::count_api_request),
                ));
        tasks.spawn(async move {
            let _ = axum::serve(api_listener, api).await;
        });

        let mut switches = Vec::new();
        for model in &models {
            let function = Arc::clone(&functions[&model.spec.logical_id]);
            for event in &model.events {
                match event {
                    EventSource::DynamoDbStream(mapping) => {
                        let switch =
                            MappingSwitch::new(&mapping.id, &model.spec.logical_id, options.event_source_mappings);
                        switches.push(switch.clone());
                        tasks.spawn(crate::esm::run_stream(
                            emulators.clone(),
                            mapping.clone(),
                            Arc::clone(&function),
                            checkpoints.clone(),
                            switch,
                            writes.clone(),
                        ));
                    }
                    EventSource::Sqs(mapping) => {
                        let switch = MappingSwitch::new(
                            &mapping.id,
                            &model.spec.logical_id,
                            options.event_source_mappings && mapping.enabled,
                        );
                        switches.push(switch.clone());
                        tasks.spawn(crate::esm::run_sqs(
                            emulators.clone(),
                            mapping.clone(),
                            Arc::clone(&function),
                            switch,
                        ));
                    }
                    EventSource::Schedule(schedule) if options.event_source_mappings => {
                        tasks.spawn(crate::schedule::run(schedule.clone(), Arc::clone(&function)));
                    }
                    EventSource::HttpApi { .. } | EventSource::Schedule(_) => {}
                }
            }
        }

        let messages: MessageLog = crate::log::BoundedLog::with_capacity(options.log_capacity);
        let mut topics = BTreeMap::new();
        for (logical_id, _) in template.of_type("AWS::SNS::Topic") {
            let topic_arn = resolver.resolve_string(&json!({ "Ref": logical_id }))?;
            let tap = crate::observe::tap_topic(&emulators, logical_id, &topic_arn, messages.clone(), options.verbose)
                .await?;
            tasks.spawn(tap);
            topics.insert(logical_id.clone(), topic_arn);
        }
        tasks.spawn(crate::observe::watch_dead_letters(
            emulators.clone(),
            dead_letter_queues(&template, &resolver, &models),
            options.verbose,
        ));

        let switches = Arc::new(switches);
        let control = crate::control::router(crate::control::ControlState {
            functions: Arc::clone(&functions),
            switches: Arc::clone(&switches),
            messages: messages.clone(),
            reports: reports.clone(),
            metrics: metrics.clone(),
            hops: hops.clone(),
            usage: emulators.usage.clone(),
            authorizer: token_authorizer.clone(),
            endpoints: crate::control::Endpoints {
                stack_name: options.stack_name.clone(),
                template: options.template.display().to_string(),
                region: REGION.to_owned(),
                account_id: crate::template::ACCOUNT_ID.to_owned(),
                sqs: emulators.sqs_url.clone(),
                sns: emulators.sns_url.clone(),
                dynamodb: emulators.dynamodb_url.clone(),
                lambda: lambda_url.clone(),
            },
        });
        let control = control.merge(crate::faults::router(emulators.clone()));
        tasks.spawn(async move {
            let _ = axum::serve(lambda_listener, control).await;
        });

        Ok(Self {
            api_url,
            lambda_url,
            emulators,
            functions,
            switches,
            messages,
            reports,
            metrics,
            hops,
            topics,
            physical_names,
            checkpoints: checkpoints.clone(),
            token_authorizer,
            _tasks: tasks,
        })
    }

    /// The specification of function `logical_id`.
    pub fn function(&self, logical_id: &str) -> Option<&FunctionSpec> {
        self.functions.get(logical_id).map(|f| f.spec())
    }

    /// Invokes function `logical_id` with a JSON payload, as `sam local invoke -e` does.
    ///
    /// # Errors
    /// When there is no such function.
    pub async fn invoke(&self, logical_id: &str, payload: Bytes) -> anyhow::Result<Invocation> {
        let function = self.functions.get(logical_id).with_context(|| format!("no function {logical_id}"))?;
        Ok(function.invoke(payload).await)
    }

    /// The messages published so far to topic `topic_logical_id` (the newest ones the
    /// log keeps, see [`StackOptions::log_capacity`]).
    pub fn published(&self, topic_logical_id: &str) -> Vec<PublishedMessage> {
        self.messages.snapshot_where(|m| m.topic == topic_logical_id)
    }

    /// How many messages were published so far to topic `topic_logical_id` (of those the
    /// log keeps), without copying them.
    pub fn published_count(&self, topic_logical_id: &str) -> usize {
        self.messages.count_where(|m| m.topic == topic_logical_id)
    }

    /// The worker processes of function `logical_id` alive now (none for an unknown
    /// function): for drills that kill one.
    pub fn workers(&self, logical_id: &str) -> Vec<crate::lambda::WorkerStatus> {
        self.functions.get(logical_id).map(|f| f.workers()).unwrap_or_default()
    }

    /// Starts a worker of function `logical_id` and waits up to `timeout` until it is
    /// ready for an event ([`crate::lambda::Function::prewarm`]); false when the function is
    /// unknown or no worker was ready in time.
    pub async fn prewarm(&self, logical_id: &str, timeout: std::time::Duration) -> bool {
        match self.functions.get(logical_id) {
            Some(function) => function.prewarm(timeout).await,
            None => false,
        }
    }

    /// How many invocations of function `logical_id` were asked for so far, including
    /// those still running (0 for an unknown function).
    pub fn invoked(&self, logical_id: &str) -> usize {
        self.functions.get(logical_id).map_or(0, |f| f.invoked())
    }

    /// The physical name of resource `logical_id` (a table's `TableName`, say).
    pub fn physical_name(&self, logical_id: &str) -> Option<&str> {
        self.physical_names.get(logical_id).map(String::as_str)
    }

    /// The ARN of topic `logical_id`.
    pub fn topic_arn(&self, logical_id: &str) -> Option<&str> {
        self.topics.get(logical_id).map(String::as_str)
    }

    /// Enables or disables the event source mappings of function `logical_id`; returns how
    /// many mappings it changed.
    pub fn set_mappings_enabled(&self, function_logical_id: &str, enabled: bool) -> usize {
        self.switches.iter().filter(|s| s.function == function_logical_id).map(|s| s.set_enabled(enabled)).count()
    }

    /// Makes `service`'s endpoint answer 500 to every request while `failing` (an
    /// outage, [`crate::faults`]); false when the service cannot fail (only `sns` can).
    pub fn set_service_fault(&self, service: &str, failing: bool) -> bool {
        self.emulators.set_service_fault(service, failing)
    }

    /// Injects `fault` into function `logical_id` (`Fault::default()` clears it); false
    /// when there is no such function.
    pub fn set_fault(&self, logical_id: &str, fault: crate::lambda::Fault) -> bool {
        self.functions.get(logical_id).map(|f| f.set_fault(fault)).is_some()
    }

    /// A token from the HTTP API's default JWT authorizer for `sub` in `groups`, valid for
    /// `ttl_seconds` (negative for an expired one).
    ///
    /// # Errors
    /// When the API has no JWT authorizer.
    pub fn mint_token(&self, sub: &str, groups: &[&str], ttl_seconds: i64) -> anyhow::Result<String> {
        let authorizer = self.token_authorizer.as_ref().context("the HTTP API has no JWT authorizer")?;
        authorizer.mint(sub, &groups.iter().map(|g| (*g).to_owned()).collect::<Vec<_>>(), ttl_seconds)
    }

    /// The invocations so far (the newest ones the log keeps, see
    /// [`StackOptions::log_capacity`]).
    pub fn reports(&self) -> Vec<InvocationReport> {
        self.reports.snapshot()
    }

    /// The EMF metric values the functions emitted so far, oldest first (the newest ones
    /// the log keeps, see [`StackOptions::log_capacity`]; [`crate::metrics`]).
    pub fn metrics(&self) -> Vec<crate::metrics::MetricDatum> {
        self.metrics.snapshot()
    }

    /// The EMF metric values named `name` the functions emitted so far, oldest first (as
    /// [`Stack::metrics`], copying only those).
    pub fn metrics_named(&self, name: &str) -> Vec<crate::metrics::MetricDatum> {
        self.metrics.snapshot_where(|m| m.name == name)
    }

    /// The path of `correlation_id` so far: its hops in time order and the messages
    /// published between them, as `GET /_devstack/traces/{correlationId}` serves it
    /// ([`crate::trace::path`]; from the newest invocations and messages the logs keep).
    pub fn trace(&self, correlation_id: &str) -> crate::trace::TracePath {
        crate::trace::path(correlation_id, &self.hops.snapshot(), &self.messages.snapshot())
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.checkpoints.close();
    }
}

/// The HTTP API's JWT authorizers by name, and the name of its default one.
type Authorizers = (Option<String>, BTreeMap<String, crate::auth::JwtAuthorizer>);

fn http_authorizers(
    template: &Template,
    resolver: &Resolver<'_>,
    key: &Arc<crate::auth::SigningKey>,
) -> anyhow::Result<Authorizers> {
    let mut authorizers = BTreeMap::new();
    let mut default = None;
    for (logical_id, api) in template.of_type("AWS::Serverless::HttpApi") {
        let auth = resolver.resolve(&api["Properties"]["Auth"]).with_context(|| format!("{logical_id}.Auth"))?;
        default = default.or_else(|| auth["DefaultAuthorizer"].as_str().map(str::to_owned));
        for (name, authorizer) in auth["Authorizers"].as_object().into_iter().flatten() {
            let config = &authorizer["JwtConfiguration"];
            let issuer = config["issuer"].as_str().context("JwtConfiguration.issuer")?.to_owned();
            let audiences =
                config["audience"].as_array().into_iter().flatten().map(crate::template::scalar_string).collect();
            authorizers.insert(name.clone(), crate::auth::JwtAuthorizer::new(issuer, audiences, Arc::clone(key)));
        }
    }
    Ok((default, authorizers))
}

fn http_routes(
    models: &[FunctionModel],
    functions: &BTreeMap<String, Arc<Function>>,
    default_authorizer: Option<&str>,
    authorizers: &BTreeMap<String, crate::auth::JwtAuthorizer>,
) -> anyhow::Result<Vec<Route>> {
    let mut routes = Vec::new();
    for model in models {
        for event in &model.events {
            let EventSource::HttpApi { method, path, authorizer } = event else { continue };
            let name = match authorizer.as_deref() {
                Some("NONE") => None,
                Some(name) => Some(name),
                None => default_authorizer,
            };
            let authorizer = match name {
                None => None,
                Some(name) => Some(
                    authorizers.get(name).cloned().with_context(|| format!("{method} {path}: no authorizer {name}"))?,
                ),
            };
            routes.push(Route {
                method: method.clone(),
                path: path.clone(),
                function: Arc::clone(&functions[&model.spec.logical_id]),
                authorizer,
            });
        }
    }
    Ok(routes)
}

/// Queues that receive failures: redrive targets and on-failure destinations.
fn dead_letter_queues(template: &Template, resolver: &Resolver<'_>, models: &[FunctionModel]) -> Vec<(String, String)> {
    let mut arns: Vec<String> = template
        .of_type("AWS::SQS::Queue")
        .filter_map(|(_, r)| resolver.resolve(&r["Properties"]["RedrivePolicy"]).ok())
        .filter_map(|policy| {
            let policy = match policy {
                serde_json::Value::String(text) => serde_json::from_str(&text).ok()?,
                other => other,
            };
            policy["deadLetterTargetArn"].as_str().map(str::to_owned)
        })
        .collect();
    for model in models {
        for event in &model.events {
            if let EventSource::DynamoDbStream(mapping) = event
                && let Some(arn) = &mapping.on_failure_queue_arn
            {
                arns.push(arn.clone());
            }
        }
    }
    arns.sort();
    arns.dedup();
    template
        .of_type("AWS::SQS::Queue")
        .filter_map(|(logical_id, _)| {
            let arn = resolver.resolve_string(&json!({"Fn::GetAtt": [logical_id, "Arn"]})).ok()?;
            arns.contains(&arn).then(|| (logical_id.clone(), arn))
        })
        .collect()
}

fn report_observer(
    reports: crate::log::BoundedLog<InvocationReport>,
    hops: crate::trace::HopLog,
    writes: crate::esm::Wake,
    usage: crate::usage::Usage,
    print: bool,
) -> InvocationObserver {
    Arc::new(move |spec: &FunctionSpec, invocation: &Invocation| {
        writes.notify();
        let scheduled = invocation.context.trigger.kind == "schedule";
        usage.invocation(&spec.logical_id, spec.memory_mb, invocation.duration_ms, invocation.init_ms, scheduled);
        let error = matches!(invocation.outcome, crate::lambda::Outcome::Error(_));
        if print {
            let cold = invocation.init_ms.map(|init| format!("  cold start (init {init:.1} ms)")).unwrap_or_default();
            let status = match &invocation.outcome {
                crate::lambda::Outcome::Error(e) => {
                    format!("  ERROR {}", e["errorType"].as_str().unwrap_or("Unhandled"))
                }
                crate::lambda::Outcome::Response(_) => String::new(),
            };
            println!("λ    {:<32} {:>8.1} ms{cold}{status}", spec.logical_id, invocation.duration_ms);
        }
        reports.push(InvocationReport {
            function: spec.logical_id.clone(),
            duration_ms: invocation.duration_ms,
            init_ms: invocation.init_ms,
            error,
        });
        let context = &invocation.context;
        hops.push(crate::trace::Hop {
            function: spec.logical_id.clone(),
            trigger: context.trigger.clone(),
            started_at: invocation.started_at,
            start_offset_ms: 0.0,
            duration_ms: invocation.duration_ms,
            outcome: match &invocation.outcome {
                crate::lambda::Outcome::Error(e) => {
                    format!("error: {}", e["errorType"].as_str().unwrap_or("Unhandled"))
                }
                crate::lambda::Outcome::Response(_) => "ok".to_owned(),
            },
            trace_id: context.trace_id(),
            trace_header: context.trace_header.clone(),
            correlation_ids: context.correlation_ids.clone(),
        });
    })
}
