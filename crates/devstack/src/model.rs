//! The functions of a template and their event sources, as the local stack runs them.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};

use crate::emulators::{Emulators, REGION};
use crate::lambda::FunctionSpec;
use crate::template::{Resolver, Template, scalar_string};

/// Where invocations of a function come from.
#[derive(Debug, Clone)]
pub enum EventSource {
    /// An HTTP API route, e.g. `POST /customers` (payload format 2.0).
    HttpApi {
        /// HTTP method, upper case, or `ANY`.
        method: String,
        /// Path template, e.g. `/customers/{customerId}`.
        path: String,
        /// `Auth.Authorizer` of the route: an authorizer name, `NONE`, or the API's default.
        authorizer: Option<String>,
    },
    /// A DynamoDB stream event source mapping.
    DynamoDbStream(StreamMapping),
    /// An SQS event source mapping.
    Sqs(SqsMapping),
    /// A `Schedule` or `ScheduleV2` event: invoked at a rate ([`crate::schedule`]).
    Schedule(crate::schedule::ScheduleSource),
}

/// A DynamoDB stream event source mapping.
#[derive(Debug, Clone)]
pub struct StreamMapping {
    /// `<function logical id>.<event name>`.
    pub id: String,
    /// Table whose stream is read.
    pub table_name: String,
    /// Stream ARN as given in the template.
    pub stream_arn: String,
    /// Most records per invocation.
    pub batch_size: usize,
    /// `TRIM_HORIZON` or `LATEST`.
    pub starting_position: String,
    /// Retries of a failing batch before it goes to the on-failure destination; -1 forever.
    pub maximum_retry_attempts: i64,
    /// Filter patterns (EventBridge pattern syntax); a record passes if one matches.
    pub filters: Vec<Value>,
    /// `FunctionResponseTypes` contains `ReportBatchItemFailures`.
    pub report_batch_item_failures: bool,
    /// SQS queue ARN of the on-failure destination.
    pub on_failure_queue_arn: Option<String>,
    /// `BisectBatchOnFunctionError`: a failed batch is split in halves, retried apart.
    pub bisect_batch_on_function_error: bool,
}

/// An SQS event source mapping.
#[derive(Debug, Clone)]
pub struct SqsMapping {
    /// `<function logical id>.<event name>`.
    pub id: String,
    /// ARN of the queue read.
    pub queue_arn: String,
    /// Most messages per invocation (at most 10 per receive).
    pub batch_size: usize,
    /// `FunctionResponseTypes` contains `ReportBatchItemFailures`.
    pub report_batch_item_failures: bool,
    /// `ScalingConfig.MaximumConcurrency`: concurrent invocations from this mapping.
    pub maximum_concurrency: usize,
    /// `Enabled` in the template.
    pub enabled: bool,
}

/// One function of the template with its event sources.
#[derive(Debug, Clone)]
pub struct FunctionModel {
    /// How to run it.
    pub spec: FunctionSpec,
    /// The cargo binary that is its bootstrap.
    pub binary: String,
    /// Its event sources.
    pub events: Vec<EventSource>,
}

/// Settings that are not in the template.
#[derive(Debug, Clone)]
pub struct RuntimeSettings<'a> {
    /// Folder holding the function binaries (`target/debug`).
    pub bin_dir: &'a Path,
    /// Concurrency limit of a function without `ReservedConcurrentExecutions`.
    pub default_concurrency: usize,
    /// Base URL of the local Lambda API (for `AWS_ENDPOINT_URL_LAMBDA`).
    pub lambda_url: &'a str,
}

/// Reads every `AWS::Serverless::Function` of the template.
///
/// # Errors
/// When a function lacks `BuildProperties.Binary` or its properties do not resolve.
pub fn functions(
    template: &Template,
    resolver: &Resolver<'_>,
    emulators: &Emulators,
    settings: &RuntimeSettings<'_>,
) -> anyhow::Result<Vec<FunctionModel>> {
    let globals = template.globals.get("Function").cloned().unwrap_or(json!({}));
    template
        .of_type("AWS::Serverless::Function")
        .map(|(logical_id, resource)| {
            function(logical_id, resource, &globals, resolver, emulators, settings)
                .with_context(|| format!("function {logical_id}"))
        })
        .collect()
}

fn function(
    logical_id: &str,
    resource: &Value,
    globals: &Value,
    resolver: &Resolver<'_>,
    emulators: &Emulators,
    settings: &RuntimeSettings<'_>,
) -> anyhow::Result<FunctionModel> {
    let binary = resource["Metadata"]["BuildProperties"]["Binary"]
        .as_str()
        .ok_or_else(|| anyhow!("Metadata.BuildProperties.Binary is required (the cargo binary of the function)"))?
        .to_owned();
    let properties = &resource["Properties"];
    // SAM merges a map of `Globals` with the function's own (the function's keys win), e.g.
    // `LoggingConfig` with a global `LogFormat` and a per-function `LogGroup`; any other
    // value (or an intrinsic) of the function replaces the global one.
    let property = |key: &str| -> anyhow::Result<Value> {
        match (globals.get(key), properties.get(key)) {
            (Some(Value::Object(global)), Some(Value::Object(own)))
                if !own.keys().chain(global.keys()).any(|k| k == "Ref" || k.starts_with("Fn::")) =>
            {
                let mut merged = global.clone();
                merged.extend(own.clone());
                resolver.resolve(&Value::Object(merged))
            }
            (global, own) => match own.or(global) {
                Some(value) => resolver.resolve(value),
                None => Ok(Value::Null),
            },
        }
    };
    let name = resolver.resolve_string(&json!({"Ref": logical_id}))?;
    let arn = resolver.resolve_string(&json!({"Fn::GetAtt": [logical_id, "Arn"]}))?;
    let timeout = scalar_string(&property("Timeout")?).parse().unwrap_or(3);
    let memory_mb = scalar_string(&property("MemorySize")?).parse().unwrap_or(128);
    let concurrency =
        scalar_string(&property("ReservedConcurrentExecutions")?).parse().unwrap_or(settings.default_concurrency);

    let mut environment = BTreeMap::new();
    for source in [&globals["Environment"]["Variables"], &properties["Environment"]["Variables"]] {
        if let Some(variables) = resolver.resolve(source)?.as_object() {
            for (key, value) in variables {
                environment.insert(key.clone(), scalar_string(value));
            }
        }
    }
    let logging = property("LoggingConfig")?;
    let lambda_defined = [
        ("AWS_REGION", REGION.to_owned()),
        ("AWS_DEFAULT_REGION", REGION.to_owned()),
        ("AWS_ACCESS_KEY_ID", "local".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("AWS_ENDPOINT_URL_DYNAMODB", emulators.dynamodb_url.clone()),
        ("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", emulators.dynamodb_url.clone()),
        ("AWS_ENDPOINT_URL_SQS", emulators.sqs_url.clone()),
        ("AWS_ENDPOINT_URL_SNS", emulators.sns_url.clone()),
        ("AWS_ENDPOINT_URL_LAMBDA", settings.lambda_url.to_owned()),
        ("AWS_LAMBDA_FUNCTION_NAME", name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory_mb.to_string()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}")),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023".to_owned()),
        ("_HANDLER", "bootstrap".to_owned()),
        ("TZ", ":UTC".to_owned()),
        ("PATH", "/usr/local/bin:/usr/bin:/bin".to_owned()),
    ];
    for (key, value) in lambda_defined {
        environment.insert(key.to_owned(), value);
    }
    if let Some(format) = logging["LogFormat"].as_str() {
        environment.insert("AWS_LAMBDA_LOG_FORMAT".to_owned(), format.to_owned());
    }
    if let Some(level) = logging["ApplicationLogLevel"].as_str() {
        environment.insert("AWS_LAMBDA_LOG_LEVEL".to_owned(), level.to_owned());
    }

    let mut events = Vec::new();
    if let Some(declared) = properties["Events"].as_object() {
        for (event_name, event) in declared {
            let id = format!("{logical_id}.{event_name}");
            let props = resolver.resolve(&event["Properties"])?;
            match event["Type"].as_str().unwrap_or_default() {
                "HttpApi" => events.push(EventSource::HttpApi {
                    method: scalar_string(&props["Method"]).to_ascii_uppercase(),
                    path: scalar_string(&props["Path"]),
                    authorizer: props["Auth"]["Authorizer"].as_str().map(str::to_owned),
                }),
                "DynamoDB" => events.push(EventSource::DynamoDbStream(stream_mapping(id, &props)?)),
                "SQS" => events.push(EventSource::Sqs(sqs_mapping(id, &props))),
                kind @ ("Schedule" | "ScheduleV2") => events.push(EventSource::Schedule(
                    crate::schedule::ScheduleSource::from_properties(
                        id,
                        &name,
                        event_name,
                        &props,
                        kind == "ScheduleV2",
                    )
                    .with_context(|| format!("event {event_name}"))?,
                )),
                other => bail!("event {event_name}: type {other} is not emulated"),
            }
        }
    }

    Ok(FunctionModel {
        spec: FunctionSpec {
            logical_id: logical_id.to_owned(),
            name,
            arn,
            executable: settings.bin_dir.join(&binary),
            environment,
            timeout: Duration::from_secs(timeout),
            memory_mb,
            max_concurrency: concurrency.max(1),
        },
        binary,
        events,
    })
}

fn response_types_report_failures(props: &Value) -> bool {
    props["FunctionResponseTypes"].as_array().is_some_and(|types| types.iter().any(|t| t == "ReportBatchItemFailures"))
}

fn stream_mapping(id: String, props: &Value) -> anyhow::Result<StreamMapping> {
    let stream_arn = scalar_string(&props["Stream"]);
    let table_name = stream_arn
        .split(":table/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .ok_or_else(|| anyhow!("cannot read a table name from stream {stream_arn}"))?
        .to_owned();
    let filters = props["FilterCriteria"]["Filters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|filter| match &filter["Pattern"] {
            Value::String(text) => serde_json::from_str(text).context("filter pattern"),
            other => Ok(other.clone()),
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(StreamMapping {
        id,
        table_name,
        stream_arn,
        batch_size: scalar_string(&props["BatchSize"]).parse().unwrap_or(100),
        starting_position: props["StartingPosition"].as_str().unwrap_or("TRIM_HORIZON").to_owned(),
        maximum_retry_attempts: scalar_string(&props["MaximumRetryAttempts"]).parse().unwrap_or(-1),
        filters,
        report_batch_item_failures: response_types_report_failures(props),
        on_failure_queue_arn: props["DestinationConfig"]["OnFailure"]["Destination"].as_str().map(str::to_owned),
        bisect_batch_on_function_error: matches!(
            scalar_string(&props["BisectBatchOnFunctionError"]).as_str(),
            "true" | "True" | "TRUE"
        ),
    })
}

fn sqs_mapping(id: String, props: &Value) -> SqsMapping {
    SqsMapping {
        id,
        queue_arn: scalar_string(&props["Queue"]),
        batch_size: scalar_string(&props["BatchSize"]).parse().unwrap_or(10),
        report_batch_item_failures: response_types_report_failures(props),
        maximum_concurrency: scalar_string(&props["ScalingConfig"]["MaximumConcurrency"]).parse().unwrap_or(2),
        enabled: props["Enabled"] != json!(false),
    }
}
