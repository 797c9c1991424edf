//! The template and the code agree: every variable a function reads is set for it, every
//! function's binary lives under its `CodeUri`, routes are unique, every stream mapping
//! is filtered and reports partial failures, every queue a function consumes has a
//! dead-letter queue, every table has a stream and TTL.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use devstack::template::Template;
use serde_json::Value;

fn root() -> PathBuf {
    devstack::testing::workspace_root()
}

fn template() -> Template {
    Template::load(&root().join("infra/template.yaml")).expect("the template parses")
}

fn functions(template: &Template) -> Vec<(&String, &Value)> {
    template.of_type("AWS::Serverless::Function").collect()
}

/// Environment variable names a binary's source reads through `platform::config`.
fn variables_read(source: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(source).expect("binary source");
    let pattern =
        regex::Regex::new(r#"(?:required|required_parsed|optional_parsed)(?:::<[^>]+>)?\(\s*"([A-Z0-9_]+)""#).unwrap();
    pattern.captures_iter(&text).map(|c| c[1].to_owned()).collect()
}

fn binary_source(code_uri: &str, binary: &str) -> PathBuf {
    root().join("infra").join(code_uri).join("src/bin").join(format!("{binary}.rs"))
}

#[test]
fn every_variable_a_function_reads_is_set_in_the_template() {
    let template = template();
    let globals: BTreeSet<String> = template.globals["Function"]["Environment"]["Variables"]
        .as_object()
        .map(|v| v.keys().cloned().collect())
        .unwrap_or_default();
    let mut checked = 0;
    for (logical_id, function) in functions(&template) {
        let binary = function["Metadata"]["BuildProperties"]["Binary"].as_str().expect("Binary");
        let code_uri = function["Properties"]["CodeUri"].as_str().expect("CodeUri");
        let source = binary_source(code_uri, binary);
        assert!(source.exists(), "{logical_id}: {} does not exist", source.display());
        let set: BTreeSet<String> = function["Properties"]["Environment"]["Variables"]
            .as_object()
            .map(|v| v.keys().cloned().collect::<BTreeSet<_>>())
            .unwrap_or_default()
            .union(&globals)
            .cloned()
            .collect();
        for variable in variables_read(&source) {
            assert!(set.contains(&variable), "{logical_id} reads {variable}, which the template does not set");
            checked += 1;
        }
    }
    assert!(checked >= 10, "the scan found only {checked} variables; is the pattern still right?");
}

#[test]
fn every_route_is_served_by_exactly_one_function_of_the_one_http_api() {
    let template = template();
    let mut routes: BTreeMap<String, String> = BTreeMap::new();
    for (logical_id, function) in functions(&template) {
        for event in function["Properties"]["Events"].as_object().into_iter().flatten().map(|(_, e)| e) {
            if event["Type"] != "HttpApi" {
                continue;
            }
            let props = &event["Properties"];
            assert_eq!(props["ApiId"], serde_json::json!({ "Ref": "HttpApi" }), "{logical_id}");
            let route = format!("{} {}", props["Method"].as_str().unwrap(), props["Path"].as_str().unwrap());
            if let Some(other) = routes.insert(route.clone(), logical_id.clone()) {
                panic!("{route} is served by both {other} and {logical_id}");
            }
        }
    }
    for expected in [
        "POST /customers",
        "GET /customers/{customerId}",
        "GET /products",
        "GET /products/{productId}",
        "POST /products",
        "PATCH /products/{productId}",
    ] {
        assert!(routes.contains_key(expected), "no function serves {expected}");
    }
}

#[test]
fn event_source_mappings_are_safe() {
    let template = template();
    for (logical_id, function) in functions(&template) {
        for (name, event) in function["Properties"]["Events"].as_object().into_iter().flatten() {
            let props = &event["Properties"];
            let reports = props["FunctionResponseTypes"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "ReportBatchItemFailures"));
            match event["Type"].as_str().unwrap_or_default() {
                "DynamoDB" => {
                    assert!(reports, "{logical_id}.{name} must use ReportBatchItemFailures");
                    assert!(
                        props["FilterCriteria"]["Filters"].is_array(),
                        "{logical_id}.{name} must filter its stream"
                    );
                    assert!(
                        props["DestinationConfig"]["OnFailure"].is_object(),
                        "{logical_id}.{name} needs an on-failure destination"
                    );
                    assert!(props["MaximumRetryAttempts"].is_number(), "{logical_id}.{name} must bound its retries");
                }
                "SQS" => {
                    assert!(reports, "{logical_id}.{name} must use ReportBatchItemFailures");
                    assert!(
                        props["ScalingConfig"]["MaximumConcurrency"].is_number(),
                        "{logical_id}.{name} needs a maximum concurrency"
                    );
                    let queue = props["Queue"]["Fn::GetAtt"][0].as_str().expect("Queue: !GetAtt X.Arn");
                    let policy = &template.resources[queue]["Properties"]["RedrivePolicy"];
                    assert!(policy["deadLetterTargetArn"].is_object(), "queue {queue} needs a dead-letter queue");
                }
                _ => {}
            }
        }
    }
}

#[test]
fn every_table_has_a_stream_and_ttl_and_every_context_a_topic() {
    let template = template();
    let tables: Vec<_> = template.of_type("AWS::DynamoDB::Table").collect();
    assert!(tables.len() >= 2);
    for (logical_id, table) in tables {
        let props = &table["Properties"];
        assert_eq!(props["StreamSpecification"]["StreamViewType"], "NEW_IMAGE", "{logical_id}");
        assert_eq!(props["TimeToLiveSpecification"]["AttributeName"], "expiresAt", "{logical_id}");
        assert_eq!(props["BillingMode"], "PAY_PER_REQUEST", "{logical_id}");
    }
    for topic in
        ["CustomerEventsTopic", "ProductEventsTopic", "OrderEventsTopic", "DeliveryEventsTopic", "NotificationsTopic"]
    {
        assert_eq!(template.type_of(topic), Some("AWS::SNS::Topic"));
    }
}

#[test]
fn only_the_order_functions_may_invoke_and_only_what_they_call() {
    let template = template();
    let mut invokers = BTreeMap::new();
    for (logical_id, function) in functions(&template) {
        for policy in function["Properties"]["Policies"].as_array().into_iter().flatten() {
            for statement in policy["Statement"].as_array().into_iter().flatten() {
                let actions = statement["Action"].to_string();
                assert!(!actions.contains('*'), "{logical_id} has a wildcard action: {actions}");
                if actions.contains("lambda:InvokeFunction") {
                    invokers.insert(
                        logical_id.clone(),
                        statement["Resource"]["Fn::GetAtt"][0].as_str().unwrap_or("?").to_owned(),
                    );
                }
            }
        }
    }
    let expected: BTreeMap<String, String> = [
        ("PlaceOrderFunction".to_owned(), "CheckProductsFunction".to_owned()),
        ("CancelOrderFunction".to_owned(), "CancelTicketFunction".to_owned()),
    ]
    .into();
    assert_eq!(invokers, expected);
}

#[test]
fn every_function_has_a_sample_event() {
    let template = template();
    let index = std::fs::read_to_string(root().join("events/README.md")).expect("events/README.md");
    for (logical_id, _) in functions(&template) {
        let line = index
            .lines()
            .find(|l| l.contains(&format!("`{logical_id}`")))
            .unwrap_or_else(|| panic!("events/README.md does not list {logical_id}"));
        let files: Vec<&str> = line.split('`').filter(|part| part.ends_with(".json")).collect();
        assert!(!files.is_empty(), "no event file for {logical_id}");
        for file in files {
            let text = std::fs::read_to_string(root().join("events").join(file))
                .unwrap_or_else(|_| panic!("events/{file} is missing"));
            serde_json::from_str::<Value>(&text).unwrap_or_else(|err| panic!("events/{file} is not JSON: {err}"));
        }
    }
}
