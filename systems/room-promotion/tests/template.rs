//! Room promotion's template keeps the rules every system keeps ([`stack_test::lint`]), serves
//! the spec's routes with nineteen functions, and lets only the pay command invoke payment.

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
    let mut routes = Vec::new();
    let mut invokers = Vec::new();
    for (name, function) in &functions {
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
        if function["Properties"]["Environment"]["Variables"].get("PAY_FUNCTION").is_some() {
            invokers.push(name.as_str());
        }
    }
    routes.sort();
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
