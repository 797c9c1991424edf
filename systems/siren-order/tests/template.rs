//! SirenOrder's template keeps the rules every system keeps ([`stack_test::lint`]), serves
//! the spec's routes, has a topic per context, lets only the order functions invoke, each
//! only its own target's alias, gives an operator the outputs to sign in and to find its
//! data, and documents every alarm threshold and the canary as parameters.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::BTreeMap;

use devstack::template::Template;
use serde_json::Value;
use stack_test::lint;

fn template() -> Template {
    Template::load(siren_order::system().template()).expect("the template parses")
}

fn functions(template: &Template) -> Vec<(&String, &Value)> {
    template.of_type("AWS::Serverless::Function").collect()
}

#[test]
fn the_template_keeps_every_platform_rule() {
    stack_test::lint::assert_template(&siren_order::system());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_function_starts_with_the_environment_the_template_gives_it() {
    let app = siren_order::TestApp::start().await;
    let failed = stack_test::lint::cold_starts(&app).await;
    assert!(failed.is_empty(), "cold starts failed:\n{}", failed.join("\n"));
    // Globals' LoggingConfig (format, levels from the LogLevel mapping) merged with each
    // function's own (its log group), as SAM merges them.
    for (logical_id, _) in functions(&template()) {
        let environment = &app.stack.function(logical_id).unwrap().environment;
        assert_eq!(environment.get("AWS_LAMBDA_LOG_FORMAT").map(String::as_str), Some("JSON"), "{logical_id}");
        assert_eq!(environment.get("AWS_LAMBDA_LOG_LEVEL").map(String::as_str), Some("INFO"), "{logical_id}");
        assert_eq!(environment.get("RUST_LOG").map(String::as_str), Some("info"), "{logical_id}");
    }
}

#[test]
fn the_spec_routes_are_served() {
    let template = template();
    let routes = lint::http_routes(&template);
    for expected in [
        "POST /customers",
        "GET /customers/{customerId}",
        "GET /products (public)",
        "GET /products/{productId} (public)",
        "POST /products",
        "PATCH /products/{productId}",
        "POST /orders",
        "GET /orders",
        "GET /orders/{orderId}",
        "POST /orders/{orderId}/cancel",
        "GET /deliveries",
        "PATCH /deliveries/{deliveryId}",
        "GET /reports/sales",
        "GET /reports/orders",
    ] {
        assert!(routes.iter().any(|r| r == expected), "no function serves {expected}");
    }
}

#[test]
fn every_context_has_a_topic() {
    let template = template();
    for topic in
        ["CustomerEventsTopic", "ProductEventsTopic", "OrderEventsTopic", "DeliveryEventsTopic", "NotificationsTopic"]
    {
        assert_eq!(template.type_of(topic), Some("AWS::SNS::Topic"));
    }
}

#[test]
fn only_the_order_functions_may_invoke_and_only_what_they_call() {
    let template = template();
    assert_eq!(lint::wildcard_actions(&template), Vec::<String>::new(), "every action is named");
    // Each calls the alias (`!Ref F.Alias`), so a canary covers the call too.
    let invokers = lint::invokers(&template);
    let expected: BTreeMap<String, String> = [
        ("PlaceOrderFunction".to_owned(), "CheckProductsFunction.Alias".to_owned()),
        ("CancelOrderFunction".to_owned(), "CancelDeliveryFunction.Alias".to_owned()),
    ]
    .into();
    assert_eq!(invokers, expected);
}

#[test]
fn the_outputs_give_a_sign_in_path_the_operations_topic_every_table_and_every_dead_letter_queue() {
    let template = template();
    let lacking = lint::operator_outputs(&template);
    assert!(lacking.is_empty(), "the outputs lack:\n- {}", lacking.join("\n- "));
    assert!(template.outputs["Issuer"]["Value"]["Fn::If"].is_array(), "Issuer is the pool's or the JwtIssuer");
    // The flow the README's `aws cognito-idp initiate-auth` uses is one the app client allows.
    assert_eq!(template.outputs["AuthFlow"]["Value"], "USER_PASSWORD_AUTH");
    let flows = &template.resources["UserPoolClient"]["Properties"]["ExplicitAuthFlows"];
    for flow in ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] {
        assert!(flows.as_array().unwrap().iter().any(|f| f == flow), "the app client lacks {flow}");
    }
    assert_eq!(template.of_type("AWS::DynamoDB::Table").count(), 6);
    let dead_letter_queues = lint::dead_letter_queues(&template);
    assert_eq!(dead_letter_queues.len(), 6, "{dead_letter_queues:?}");
}

#[test]
fn every_alarm_threshold_and_the_canary_are_documented_parameters_with_defaults() {
    let template = template();
    let mut used: Vec<&str> = template
        .of_type("AWS::CloudWatch::Alarm")
        .flat_map(|(_, alarm)| ["Threshold", "Period", "EvaluationPeriods"].map(|key| &alarm["Properties"][key]))
        .filter_map(|value| value["Ref"].as_str())
        .collect();
    used.push(template.globals["Function"]["DeploymentPreference"]["Type"]["Ref"].as_str().unwrap());
    used.sort_unstable();
    used.dedup();
    assert!(used.len() >= 10, "{used:?}");
    for name in used {
        let parameter = &template.parameters[name];
        assert!(!parameter["Default"].is_null(), "parameter {name} needs a default");
        assert!(
            parameter["Description"].as_str().is_some_and(|d| d.len() > 20),
            "parameter {name} needs a description"
        );
    }
    assert_eq!(template.parameters["DeploymentType"]["Default"], "Canary10Percent5Minutes");
    // The breaker's alarm watches the metric platform::breaker emits, by the calling service.
    let breaker = template.resources["OrderBreakerOpenedAlarm"]["Properties"].clone();
    assert_eq!(breaker["MetricName"], platform::breaker::OPENED_METRIC);
    assert_eq!(breaker["Namespace"]["Ref"], "AWS::StackName");
    assert_eq!(breaker["Dimensions"][0]["Value"], "order");
}

#[test]
fn the_dashboard_shows_the_business_metrics_the_order_context_emits() {
    use order::metrics::{
        ORDERS_CANCELLED, ORDERS_COMPLETED, ORDERS_PLACED, PLACED_TO_COMPLETED, PLACED_TO_WAITING, REVENUE,
    };
    let template = template();
    let body = template.resources["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"].as_str().unwrap();
    // The !Sub text is JSON once its ${...} are substituted (they are all inside strings).
    let widgets: Value = serde_json::from_str(body).unwrap();
    assert!(widgets["widgets"].as_array().unwrap().len() >= 15);
    for metric in [
        ORDERS_PLACED,
        REVENUE,
        ORDERS_CANCELLED,
        ORDERS_COMPLETED,
        PLACED_TO_WAITING,
        PLACED_TO_COMPLETED,
        platform::breaker::OPENED_METRIC,
    ] {
        assert!(body.contains(&format!("\"{metric}\"")), "the dashboard lacks {metric}");
    }
}
