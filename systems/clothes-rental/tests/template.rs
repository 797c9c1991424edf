//! Clothes rental's template keeps the rules every system keeps ([`stack_test::lint`]), serves
//! the spec's routes, has a topic per producing context, lets only the cancel command invoke
//! (and only delivery's cancel), and gives an operator the outputs to sign in and find its data.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::BTreeMap;

use devstack::template::Template;
use serde_json::Value;
use stack_test::lint;

fn template() -> Template {
    Template::load(clothes_rental::system().template()).expect("the template parses")
}

fn functions(template: &Template) -> Vec<(&String, &Value)> {
    template.of_type("AWS::Serverless::Function").collect()
}

#[test]
fn the_template_keeps_every_platform_rule() {
    stack_test::lint::assert_template(&clothes_rental::system());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_function_starts_with_the_environment_the_template_gives_it() {
    let app = clothes_rental::TestApp::start().await;
    let failed = stack_test::lint::cold_starts(&app).await;
    assert!(failed.is_empty(), "cold starts failed:\n{}", failed.join("\n"));
    for (logical_id, _) in functions(&template()) {
        let environment = &app.stack.function(logical_id).unwrap().environment;
        assert_eq!(environment.get("AWS_LAMBDA_LOG_FORMAT").map(String::as_str), Some("JSON"), "{logical_id}");
        assert!(environment.get("METRICS_NAMESPACE").is_some_and(|n| !n.is_empty()), "{logical_id}: the stack name");
    }
}

#[test]
fn the_spec_routes_are_served_by_sixteen_functions() {
    let template = template();
    let routes = lint::http_routes(&template);
    assert_eq!(
        routes,
        [
            "GET /deliveries",
            "GET /mypages",
            "GET /orders/{orderId}",
            "POST /deliveries/{deliveryId}/collect",
            "POST /deliveries/{deliveryId}/ship",
            "POST /orders",
            "POST /orders/{orderId}/cancel",
            "POST /orders/{orderId}/return",
        ]
    );
    assert_eq!(functions(&template).len(), 16, "the function count the README gives");
    let groups = &template.resources["DeliveryTeamGroup"]["Properties"]["GroupName"];
    assert_eq!(groups, "deliveryTeam");
}

#[test]
fn the_producing_contexts_and_the_mails_have_their_topics() {
    let template = template();
    for topic in ["OrderEventsTopic", "DeliveryEventsTopic", "NotificationsTopic"] {
        assert_eq!(template.type_of(topic), Some("AWS::SNS::Topic"));
    }
    let tables: Vec<&String> = template.of_type("AWS::DynamoDB::Table").map(|(id, _)| id).collect();
    assert_eq!(tables.len(), 4, "a table per context: {tables:?}");
}

#[test]
fn only_the_cancel_command_may_invoke_and_only_deliverys_cancel() {
    let template = template();
    assert_eq!(lint::wildcard_actions(&template), Vec::<String>::new(), "every action is named");
    // Each calls the alias (`!Ref F.Alias`), so a canary covers the call too.
    let invokers = lint::invokers(&template);
    let expected: BTreeMap<String, String> =
        [("CancelOrderFunction".to_owned(), "CancelDeliveryFunction.Alias".to_owned())].into();
    assert_eq!(invokers, expected);
    assert_eq!(template.parameters["SyncCallTimeoutMs"]["Default"], 610, "the original's Hystrix timeout");
}

#[test]
fn the_outputs_give_a_sign_in_path_the_operations_topic_every_table_and_every_dead_letter_queue() {
    let template = template();
    let lacking = lint::operator_outputs(&template);
    assert!(lacking.is_empty(), "the outputs lack:\n- {}", lacking.join("\n- "));
}
