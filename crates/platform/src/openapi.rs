//! OpenAPI 3.1 documents generated from the code: each context annotates its handlers
//! (`#[utoipa::path]`) and its request/response types (`#[derive(utoipa::ToSchema)]`), each
//! system gathers them into one [`utoipa::openapi::OpenApi`], and [`document`] adds what
//! every route of every system shares, so no handler repeats it:
//!
//! - the security scheme `jwt` (HTTP bearer, a JWT from the HTTP API's JWT authorizer),
//!   required by every operation that does not declare `security(())` (a public route);
//! - the error answers of the functions, `application/problem+json` ([`Problem`]): 400 on
//!   every operation that reads a body, a query or a path parameter, 413 and 415 on every
//!   operation with a body, 500 and 503 everywhere;
//! - the error answers of API Gateway itself, `application/json` ([`GatewayMessage`],
//!   `{"message": "Unauthorized"}` and the like): 401 on protected operations, 413 above the
//!   gateway's payload limit, 500 when a function fails, 503 when it times out.
//!
//! The document carries no `servers`: a running stack fills in its own URL (the local
//! stack serves the document with its address; on AWS, the stack's `ApiUrl` output).

use serde_json::{Map, Value, json};

pub use utoipa;

/// The media type of every error answer of a function (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The name of the bearer-JWT security scheme in every document.
pub const JWT_SCHEME: &str = "jwt";

/// An error answer of a function: RFC 9457 problem details
/// ([`crate::http::ApiError::into_response`]).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub kind: String,
    /// The status's reason phrase, e.g. `Bad Request`.
    #[schema(example = "Bad Request")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 400, minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong, for a person to read; a 5xx never carries internal text.
    #[schema(example = "invalid fields: items[0].quantity")]
    pub detail: String,
    /// On a 400: every refused field.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<ProblemField>>,
}

/// One refused field of a 400 [`Problem`].
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// The field's JSON path in the body (`items[0].quantity`), or the name of the header,
    /// query or path parameter.
    #[schema(example = "items[0].quantity")]
    pub field: String,
    /// Why it was refused.
    #[schema(example = "must be between 1 and 20")]
    pub detail: String,
}

/// An answer of API Gateway itself, not of a function: `{"message": "Unauthorized"}`
/// (401, the JWT authorizer refused the token), `{"message": "Not Found"}` (no route),
/// `{"message": "Request Entity Too Large"}` (413), `{"message": "Internal Server Error"}`
/// (500, the function failed) or `{"message": "Service Unavailable"}` (503, the function
/// timed out).
#[derive(Debug, utoipa::ToSchema)]
pub struct GatewayMessage {
    /// The status's reason phrase.
    #[schema(example = "Unauthorized")]
    pub message: String,
}

/// What a system says about itself at the top of its document.
#[derive(Debug, Clone)]
pub struct Info<'a> {
    /// The API's title, e.g. the system's name.
    pub title: &'a str,
    /// The API's version (the system package's version).
    pub version: &'a str,
    /// What the API is for, and how to get a token (Markdown).
    pub description: &'a str,
}

/// The finished document of a system: `api` (the gathered paths and schemas) with `info`,
/// the security scheme, the shared schemas and the error answers every route can give, as
/// described in the [module docs](self). Keys are sorted, so the output is stable.
///
/// # Errors
/// Only if the gathered document cannot be serialized.
pub fn document(api: utoipa::openapi::OpenApi, info: &Info<'_>) -> Result<Value, serde_json::Error> {
    let mut doc = serde_json::to_value(api)?;
    doc["info"] = json!({ "title": info.title, "version": info.version, "description": info.description });
    let schemas = doc["components"]["schemas"].as_object().cloned().unwrap_or_default();
    let mut schemas: Map<String, Value> = schemas;
    for (name, schema) in [
        ("Problem", serde_json::to_value(<Problem as utoipa::PartialSchema>::schema())?),
        ("ProblemField", serde_json::to_value(<ProblemField as utoipa::PartialSchema>::schema())?),
        ("GatewayMessage", serde_json::to_value(<GatewayMessage as utoipa::PartialSchema>::schema())?),
    ] {
        schemas.insert(name.to_owned(), schema);
    }
    doc["components"]["schemas"] = Value::Object(schemas);
    doc["components"]["securitySchemes"] = json!({
        JWT_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A JWT from the HTTP API's issuer (a Cognito user pool on AWS; `POST /_devstack/tokens` locally). \
                            Its `sub` is the caller's id; its groups claim holds the roles.",
        }
    });
    doc["security"] = json!([{ JWT_SCHEME: [] }]);
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (method, operation) in item.iter_mut() {
                if METHODS.contains(&method.as_str()) {
                    add_shared_answers(operation);
                }
            }
        }
    }
    Ok(sorted(doc))
}

/// The keys of a path item that are operations.
const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

/// Whether `operation` declares no security (`security: [{}]`, utoipa's `security(())`);
/// without a `security` of its own it has the document's, [`JWT_SCHEME`].
fn is_public(operation: &Value) -> bool {
    operation["security"].as_array().is_some_and(|s| s.iter().all(|r| r.as_object().is_some_and(Map::is_empty)))
}

/// Adds the answers every operation can give (see the module docs) to `operation`,
/// keeping what the handler declared and adding the other side's media type beside it.
fn add_shared_answers(operation: &mut Value) {
    let public = is_public(operation);
    let has_body = operation.get("requestBody").is_some();
    let has_input = has_body || operation["parameters"].as_array().is_some_and(|p| !p.is_empty());
    let problem = |description: &str| answer(description, PROBLEM_JSON, "Problem");
    let gateway = |description: &str| answer(description, "application/json", "GatewayMessage");
    let responses = operation["responses"].as_object_mut();
    let Some(responses) = responses else { return };
    let mut add = |status: &str, extra: Value| {
        let entry =
            responses.entry(status.to_owned()).or_insert_with(|| json!({ "description": extra["description"] }));
        let content = entry.as_object_mut().map(|e| e.entry("content").or_insert_with(|| json!({})));
        if let (Some(content), Some(extra)) = (content.and_then(Value::as_object_mut), extra["content"].as_object()) {
            for (media, schema) in extra {
                content.entry(media.clone()).or_insert_with(|| schema.clone());
            }
        }
    };
    if has_input {
        add("400", problem("The request is malformed: `errors` names every refused field."));
    }
    if has_body {
        add("413", problem("The body exceeds the function's limit (16 KiB), or the gateway's."));
        add("413", gateway("The body exceeds the function's limit (16 KiB), or the gateway's."));
        add("415", problem("The body is not sent as `application/json`."));
    }
    if !public {
        add("401", gateway("No token, or the JWT authorizer refused it (API Gateway's answer)."));
    }
    add("500", problem("Our fault; nothing internal is shown (the function's problem, or the gateway's message)."));
    add("500", gateway("Our fault; nothing internal is shown (the function's problem, or the gateway's message)."));
    add("503", gateway("The function timed out (API Gateway's answer), or a dependency cannot answer now."));
}

fn answer(description: &str, media: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": { media: { "schema": { "$ref": format!("#/components/schemas/{schema}") } } },
    })
}

/// `value` with every object's keys in order (serde_json's map keeps insertion order only
/// with `preserve_order`; this makes the written file stable either way).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The operations of a document as `(METHOD, path, public)`, sorted: what a system's test
/// compares with its template's routes (`public` when the operation declares no security).
pub fn operations(document: &Value) -> Vec<(String, String, bool)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if METHODS.contains(&method.as_str()) {
                operations.push((method.to_ascii_uppercase(), path.clone(), is_public(operation)));
            }
        }
    }
    operations.sort();
    operations
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thing.
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Thing {
        name: String,
    }

    /// Reads a thing.
    #[utoipa::path(get, path = "/things/{thingId}", params(("thingId" = String, Path, description = "The thing")),
        responses((status = 200, body = Thing), (status = 404, body = Problem, content_type = "application/problem+json")))]
    #[allow(dead_code)]
    fn get_thing() {}

    /// Lists things, publicly.
    #[utoipa::path(get, path = "/things", security(()), responses((status = 200, body = Vec<Thing>)))]
    #[allow(dead_code)]
    fn list_things() {}

    #[derive(utoipa::OpenApi)]
    #[openapi(paths(get_thing, list_things))]
    struct Api;

    fn doc() -> Value {
        use utoipa::OpenApi as _;
        document(Api::openapi(), &Info { title: "T", version: "1", description: "d" }).unwrap()
    }

    #[test]
    fn every_operation_gets_the_shared_answers_and_public_ones_no_401() {
        let doc = doc();
        assert_eq!(doc["openapi"], "3.1.0");
        let get = &doc["paths"]["/things/{thingId}"]["get"];
        assert_eq!(
            get["responses"]["401"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/GatewayMessage"
        );
        assert!(get["responses"]["400"]["content"][PROBLEM_JSON].is_object());
        assert!(get["responses"]["404"]["content"][PROBLEM_JSON].is_object(), "the handler's own answer is kept");
        assert!(get["responses"]["500"]["content"]["application/json"].is_object());
        assert!(get["responses"]["500"]["content"][PROBLEM_JSON].is_object());
        assert!(get["responses"].get("413").is_none(), "no body, no 413");
        let list = &doc["paths"]["/things"]["get"];
        assert!(list["responses"].get("401").is_none(), "a public route has no 401");
        assert!(list["responses"].get("400").is_none(), "no input, no 400");
        assert_eq!(doc["components"]["securitySchemes"][JWT_SCHEME]["scheme"], "bearer");
        assert!(doc["components"]["schemas"]["Problem"]["properties"]["type"].is_object());
    }

    #[test]
    fn operations_say_which_are_public() {
        assert_eq!(
            operations(&doc()),
            [("GET".to_owned(), "/things".to_owned(), true), ("GET".to_owned(), "/things/{thingId}".to_owned(), false)]
        );
    }
}
