//! Insurance's template keeps the rules every system keeps ([`stack_test::lint`]), serves the
//! spec's routes with thirty-one functions, and lets only the quoting commands invoke product and
//! only the pay command invoke payment.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use devstack::template::Template;

fn template() -> Template {
    Template::load(insurance::system().template()).expect("the template parses")
}

#[test]
fn the_template_keeps_every_platform_rule() {
    stack_test::lint::assert_template(&insurance::system());
}

#[test]
fn the_spec_routes_are_served_by_thirty_one_functions() {
    let template = template();
    let functions: Vec<_> = template.of_type("AWS::Serverless::Function").collect();
    let routes = stack_test::lint::http_routes(&template);
    let (mut pay, mut quote) = (Vec::new(), Vec::new());
    for (name, function) in &functions {
        let variables = &function["Properties"]["Environment"]["Variables"];
        if variables.get("PAY_FUNCTION").is_some() {
            pay.push(name.as_str());
        }
        if variables.get("QUOTE_FUNCTION").is_some() {
            quote.push(name.as_str());
        }
    }
    assert_eq!(
        routes,
        [
            "GET /customers/{customerNo}",
            "GET /msgs",
            "GET /mypages",
            "GET /plans/{planNo}",
            "GET /products (public)",
            "GET /products/{productCode} (public)",
            "GET /proposals/{proposalNo}",
            "PATCH /products/{productCode}",
            "POST /customers",
            "POST /plans",
            "POST /plans/quote",
            "POST /plans/{planNo}/description",
            "POST /products",
            "POST /proposals",
            "POST /proposals/{proposalNo}/payment",
            "POST /proposals/{proposalNo}/withdraw",
            "PUT /plans/{planNo}",
        ]
    );
    assert_eq!(functions.len(), 31, "the function count the README gives");
    assert_eq!(pay, ["PayProposalFunction"]);
    assert_eq!(quote, ["ChangePlanFunction", "QuotePlanFunction", "SavePlanFunction"]);
    let groups: Vec<_> =
        template.of_type("AWS::Cognito::UserPoolGroup").map(|(_, g)| g["Properties"]["GroupName"].clone()).collect();
    assert_eq!(groups, ["insuranceManager", "productManager"]);
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

#[test]
fn only_the_quoting_commands_invoke_product_and_only_the_pay_command_invokes_payment() {
    let invokers = stack_test::lint::invokers(&template());
    let of = |callee: &str| -> Vec<&str> {
        invokers.iter().filter(|(_, target)| target.starts_with(callee)).map(|(caller, _)| caller.as_str()).collect()
    };
    assert_eq!(of("QuoteFunction"), ["ChangePlanFunction", "QuotePlanFunction", "SavePlanFunction"], "{invokers:?}");
    assert_eq!(of("PayFunction"), ["PayProposalFunction"], "{invokers:?}");
}
