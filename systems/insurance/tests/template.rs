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
    let mut routes = Vec::new();
    let (mut pay, mut quote) = (Vec::new(), Vec::new());
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
        let variables = &function["Properties"]["Environment"]["Variables"];
        if variables.get("PAY_FUNCTION").is_some() {
            pay.push(name.as_str());
        }
        if variables.get("QUOTE_FUNCTION").is_some() {
            quote.push(name.as_str());
        }
    }
    routes.sort();
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
