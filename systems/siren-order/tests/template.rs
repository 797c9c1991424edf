//! SirenOrder's template keeps the rules every system keeps ([`stack_test::lint`]), serves
//! the spec's routes, has a topic per context, and lets only the order functions invoke,
//! each only its own target.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::BTreeMap;

use devstack::template::Template;
use serde_json::Value;

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
}

#[test]
fn the_spec_routes_are_served() {
    let template = template();
    let mut routes = Vec::new();
    for (_, function) in functions(&template) {
        for event in function["Properties"]["Events"].as_object().into_iter().flatten().map(|(_, e)| e) {
            if event["Type"] == "HttpApi" {
                let props = &event["Properties"];
                routes.push(format!("{} {}", props["Method"].as_str().unwrap(), props["Path"].as_str().unwrap()));
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
        ("CancelOrderFunction".to_owned(), "CancelDeliveryFunction".to_owned()),
    ]
    .into();
    assert_eq!(invokers, expected);
}
