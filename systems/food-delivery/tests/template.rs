//! Food delivery's template keeps the rules every system keeps ([`stack_test::lint`]), serves
//! the spec's routes with nineteen functions, has a topic per producing context and a table
//! per context, lets only the order command invoke pay and only the cancel command invoke the
//! store's cancel, and gives an operator the outputs to sign in and find its data.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::BTreeMap;

use devstack::template::Template;
use serde_json::Value;
use stack_test::lint;

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
    let routes = lint::http_routes(&template);
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
    assert_eq!(lint::wildcard_actions(&template), Vec::<String>::new(), "every action is named");
    // Each calls the alias (`!Ref F.Alias`), so a canary covers the call too.
    let invokers = lint::invokers(&template);
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
    let lacking = lint::operator_outputs(&template);
    assert!(lacking.is_empty(), "the outputs lack:\n- {}", lacking.join("\n- "));
}
