//! Food delivery's template keeps the rules every system keeps ([`stack_test::lint`]), serves
//! the spec's routes with nineteen functions, has a topic per producing context and a table
//! per context, lets only the order command invoke pay and only the cancel command invoke the
//! store's cancel, and gives an operator the outputs to sign in and find its data.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::BTreeMap;

use devstack::template::Template;
use serde_json::Value;

fn template() -> Template {
    Template::load(food_delivery::system().template()).expect("the template parses")
}

fn functions(template: &Template) -> Vec<(&String, &Value)> {
    template.of_type("AWS::Serverless::Function").collect()
}

#[test]
fn the_template_keeps_every_platform_rule() {
    stack_test::lint::assert_template(&food_delivery::system());
}

#[test]
fn the_spec_routes_are_served_by_nineteen_functions() {
    let template = template();
    let mut routes = Vec::new();
    for (_, function) in functions(&template) {
        for event in function["Properties"]["Events"].as_object().into_iter().flatten().map(|(_, e)| e) {
            if event["Type"] == "HttpApi" {
                let props = &event["Properties"];
                let public = if props["Auth"]["Authorizer"] == "NONE" { " (public)" } else { "" };
                routes.push(format!(
                    "{} {}{public}",
                    props["Method"].as_str().unwrap(),
                    props["Path"].as_str().unwrap()
                ));
            }
        }
    }
    routes.sort();
    assert_eq!(
        routes,
        [
            "GET /menu (public)",
            "GET /orders",
            "GET /orders/{orderId}",
            "GET /store/orders",
            "PATCH /menu/{item}",
            "PATCH /store/orders/{orderId}",
            "POST /menu",
            "POST /orders",
            "POST /orders/{orderId}/cancel",
        ]
    );
    assert_eq!(functions(&template).len(), 19, "the function count the README gives");
    let group = &template.resources["StoreGroup"]["Properties"]["GroupName"];
    assert_eq!(group, "store");
}

#[test]
fn each_producing_context_has_its_topic_and_each_context_its_table() {
    let template = template();
    for topic in ["OrderEventsTopic", "PaymentEventsTopic", "StoreEventsTopic", "NotificationsTopic"] {
        assert_eq!(template.type_of(topic), Some("AWS::SNS::Topic"));
    }
    let tables: Vec<&String> = template.of_type("AWS::DynamoDB::Table").map(|(id, _)| id).collect();
    assert_eq!(tables.len(), 4, "a table per context: {tables:?}");
    assert_eq!(
        template.resources["PayFunction"]["Properties"]["ReservedConcurrentExecutions"]["Ref"],
        "PayReservedConcurrency"
    );
}

#[test]
fn only_placing_an_order_invokes_pay_and_only_the_cancel_invokes_the_stores_cancel() {
    let template = template();
    let mut invokers = BTreeMap::new();
    for (logical_id, function) in functions(&template) {
        for policy in function["Properties"]["Policies"].as_array().into_iter().flatten() {
            for statement in policy["Statement"].as_array().into_iter().flatten() {
                let actions = statement["Action"].to_string();
                assert!(!actions.contains('*'), "{logical_id} has a wildcard action: {actions}");
                if actions.contains("lambda:InvokeFunction") {
                    // The alias (`!Ref F.Alias`), so a canary covers the call too.
                    invokers
                        .insert(logical_id.clone(), statement["Resource"]["Ref"].as_str().unwrap_or("?").to_owned());
                }
            }
        }
    }
    let expected: BTreeMap<String, String> = [
        ("CancelOrderFunction".to_owned(), "CancelStoreOrderFunction.Alias".to_owned()),
        ("PlaceOrderFunction".to_owned(), "PayFunction.Alias".to_owned()),
    ]
    .into();
    assert_eq!(invokers, expected);
    assert_eq!(template.parameters["SyncCallTimeoutMs"]["Default"], 610, "the original's Hystrix timeout");
}

#[test]
fn the_outputs_give_a_sign_in_path_the_operations_topic_every_table_and_every_dead_letter_queue() {
    let template = template();
    let reference = |output: &str| {
        let value = &template.outputs.get(output).unwrap_or_else(|| panic!("no output {output}"))["Value"];
        value["Ref"].as_str().map(str::to_owned)
    };
    assert_eq!(reference("UserPoolId").as_deref(), Some("UserPool"));
    assert_eq!(reference("UserPoolClientId").as_deref(), Some("UserPoolClient"));
    assert_eq!(reference("OperationsTopicArn").as_deref(), Some("OperationsAlarmTopic"));
    for (table, _) in template.of_type("AWS::DynamoDB::Table") {
        assert_eq!(reference(&format!("{table}Name")).as_deref(), Some(table.as_str()), "output {table}Name");
    }
    for (queue, props) in template.of_type("AWS::SQS::Queue") {
        if props["Properties"]["RedrivePolicy"].is_null() {
            assert_eq!(reference(&format!("{queue}Url")).as_deref(), Some(queue.as_str()), "output {queue}Url");
            assert!(template.resources.contains_key(&format!("{queue}Alarm")), "{queue} has no alarm");
        }
    }
}
