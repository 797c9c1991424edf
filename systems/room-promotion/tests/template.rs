//! Room promotion's template keeps the rules every system keeps ([`stack_test::lint`]), serves
//! the spec's routes with nineteen functions, lets only the pay command invoke payment, names
//! every policy action, and gives an operator the outputs to sign in and find its data.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use devstack::template::Template;

fn template() -> Template {
    Template::load(room_promotion::system().template()).expect("the template parses")
}

#[test]
fn the_template_keeps_every_platform_rule() {
    stack_test::lint::assert_template(&room_promotion::system());
}

#[test]
fn the_spec_routes_are_served_by_nineteen_functions() {
    let template = template();
    let functions: Vec<_> = template.of_type("AWS::Serverless::Function").collect();
    let routes = stack_test::lint::http_routes(&template);
    let mut invokers = Vec::new();
    for (name, function) in &functions {
        if function["Properties"]["Environment"]["Variables"].get("PAY_FUNCTION").is_some() {
            invokers.push(name.as_str());
        }
    }
    assert_eq!(
        routes,
        [
            "GET /mypage",
            "GET /reservations/{reservationId}",
            "GET /rooms (public)",
            "PATCH /rooms/{roomId}",
            "POST /reservations",
            "POST /reservations/{reservationId}/cancel",
            "POST /reservations/{reservationId}/pay",
            "POST /rooms",
        ]
    );
    assert_eq!(functions.len(), 19, "the function count the README gives");
    assert_eq!(invokers, ["PayReservationFunction"]);
    assert_eq!(template.resources["ManagerGroup"]["Properties"]["GroupName"], "manager");
}

#[test]
fn the_outputs_give_a_sign_in_path_the_operations_topic_every_table_and_every_dead_letter_queue() {
    let lacking = stack_test::lint::operator_outputs(&template());
    assert!(lacking.is_empty(), "the outputs lack:\n- {}", lacking.join("\n- "));
}

#[test]
fn every_policy_action_is_named() {
    assert_eq!(stack_test::lint::wildcard_actions(&template()), Vec::<String>::new());
}
