//! The Lambda API (`Invoke`, so synchronous calls use the real `aws-sdk-lambda` client)
//! and the local stack's own control endpoints under `/_devstack/`.
//!
//! - `POST /2015-03-31/functions/{name}/invocations`: invoke by name, ARN (qualified or not) or logical id;
//!   `X-Amz-Invocation-Type: Event` answers 202 at once; a function error answers 200
//!   with `X-Amz-Function-Error: Unhandled`, as Lambda does; the request's
//!   `X-Amzn-Trace-Id` (a traced caller's) is the invocation's trace ([`crate::trace`]).
//! - `GET /_devstack/sns-messages[?topic=LogicalId]`: the SNS messages published (the
//!   newest 10,000, [`crate::log::DEFAULT_CAPACITY`]).
//! - `GET /_devstack/invocations`: the invocations with their duration and cold start (the
//!   newest 10,000).
//! - `GET /_devstack/metrics[?name=MetricName]`: the CloudWatch Embedded Metric Format
//!   metrics the functions wrote to stdout (the newest 10,000 values), one JSON object per
//!   value: `{"function", "namespace", "name", "value", "unit", "dimensions", "timestampMs"}`
//!   ([`crate::metrics`]); `name` keeps only that metric's.
//! - `GET /_devstack/traces/{correlationId}`: the path of one flow ([`crate::trace`]):
//!   `{"correlationId", "traceIds": ["1-..."], "hops": [{"function", "trigger": {"kind",
//!   "source"}, "startedAt", "startOffsetMs", "durationMs", "outcome", "traceId",
//!   "traceHeader", "correlationIds"}], "messages": [{"topic", "eventType", "correlationId",
//!   "publishedAt", "offsetMs", "traceId"}]}`: the invocations that carried the id and every
//!   invocation in the same X-Ray traces, in time order, and the messages published in them
//!   (from the newest 10,000 invocations and messages); no hops when the id is unknown.
//! - `GET /_devstack/endpoints`: the stack name, template and service URLs ([`Endpoints`]),
//!   for tools that talk to the running stack (`redrive --local`).
//! - `POST /_devstack/tokens` `{"sub"?, "groups"?, "expiresInSeconds"?: 3600, "claims"?: {..},
//!   "kid"?}` -> `{"token", "sub", "groups", "claims", "kid"}`: a JWT signed by the HTTP API's
//!   default JWT authorizer's key ([`crate::auth`]). By default it is a Cognito-style ID token
//!   the authorizer accepts: `sub` (default: a new opaque id, `local|<hex>`, as an external
//!   issuer's would be), `iss` (the template's issuer), `aud` (its first audience), `iat`
//!   (now), `exp` (`iat + expiresInSeconds`; negative: already expired), `token_use: "id"` and
//!   `groups` (any JSON, default `[]`: a list of names, or a string, a number... as a hostile
//!   test needs). `claims` overrides or adds any claim (`nbf`, `iat`, `exp`, `aud`,
//!   `client_id`, `token_use`, `cognito:groups`, ...; a `null` value removes the claim), so
//!   black-box tests can send tokens the authorizer must refuse (a future `nbf`, an `exp` a
//!   second ago, the wrong `token_use`). `kid` sets the header's key id (`null`: none;
//!   default: the stack key's, as published in the JWKS). The answer's `claims` are the
//!   token's payload. `404` when the API has no JWT authorizer; `400`/`422` for a body of
//!   another shape.
//! - `GET /_devstack/usage`: what the run would be billed for on AWS, counted since the
//!   stack started or the last reset ([`crate::usage`] describes the document);
//!   `DELETE /_devstack/usage` answers the same document and starts counting from zero.
//! - `POST /_devstack/functions/{logicalId}/event-source-mappings/{enable|disable}`.
//! - `PUT /_devstack/services/sns/fault` makes the SNS endpoint answer 500 (an outage);
//!   `DELETE` clears it ([`crate::faults`], merged into this router by the stack).
//! - `PUT /_devstack/functions/{logicalId}/fault` `{"delayMs": 1500, "fail": false}`
//!   injects a fault into every invocation; `DELETE` clears it.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::esm::MappingSwitch;
use crate::lambda::{Function, Outcome};
use crate::observe::MessageLog;
use crate::stack::InvocationReport;

/// What the control endpoints reach.
#[derive(Clone)]
pub struct ControlState {
    /// Functions by logical id.
    pub functions: Arc<BTreeMap<String, Arc<Function>>>,
    /// Event source mapping switches.
    pub switches: Arc<Vec<MappingSwitch>>,
    /// Published SNS messages.
    pub messages: MessageLog,
    /// Invocation reports (the newest ones).
    pub reports: crate::log::BoundedLog<InvocationReport>,
    /// EMF metric values from function output (the newest ones).
    pub metrics: crate::metrics::MetricLog,
    /// One hop per invocation, for traces (the newest ones, [`crate::trace`]).
    pub hops: crate::trace::HopLog,
    /// What the run would be billed for on AWS ([`crate::usage`]).
    pub usage: crate::usage::Usage,
    /// The HTTP API's default JWT authorizer, which mints local tokens.
    pub authorizer: Option<crate::auth::JwtAuthorizer>,
    /// Where the stack's services listen.
    pub endpoints: Endpoints,
}

/// Where a running local stack's services listen, served at `GET /_devstack/endpoints`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// Stack name: physical names are `<stackName>-<LogicalId>` (see [`crate::template::Naming`]).
    pub stack_name: String,
    /// Path of the template the stack runs.
    pub template: String,
    /// Region in ARNs.
    pub region: String,
    /// Account id in ARNs and queue URLs.
    pub account_id: String,
    /// Base URL of the SQS emulator (queue URLs are `<sqs>/<accountId>/<name>`).
    pub sqs: String,
    /// Base URL of the SNS emulator.
    pub sns: String,
    /// Base URL of the DynamoDB emulator.
    pub dynamodb: String,
    /// Base URL of the Lambda API (this control server).
    pub lambda: String,
}

/// The control router.
pub fn router(state: ControlState) -> axum::Router {
    axum::Router::new()
        .route("/2015-03-31/functions/{name}/invocations", post(invoke))
        .route("/_devstack/sns-messages", get(messages))
        .route("/_devstack/tokens", post(token))
        .route("/_devstack/invocations", get(invocations))
        .route("/_devstack/metrics", get(metrics))
        .route("/_devstack/traces/{correlation_id}", get(trace))
        .route("/_devstack/endpoints", get(endpoints))
        .route("/_devstack/usage", get(usage).delete(reset_usage))
        .route("/_devstack/functions/{name}/event-source-mappings/{action}", post(switch))
        .route("/_devstack/functions/{name}/fault", axum::routing::put(set_fault).delete(clear_fault))
        .with_state(state)
}

fn find<'a>(state: &'a ControlState, name: &str) -> Option<&'a Arc<Function>> {
    state.functions.get(name).or_else(|| {
        state
            .functions
            .values()
            .find(|f| f.spec().name == name || f.spec().arn == name || name.ends_with(&format!(":{}", f.spec().name)))
            // Qualified (`<name or ARN>:<alias or version>`, e.g. a template's `!Ref Fn.Alias`):
            // the local stack has no versions, so every qualifier is the function itself.
            .or_else(|| {
                let (unqualified, _) = name.rsplit_once(':')?;
                state.functions.values().find(|f| f.spec().name == unqualified || f.spec().arn == unqualified)
            })
    })
}

async fn invoke(
    State(state): State<ControlState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    payload: Bytes,
) -> Response {
    let Some(function) = find(&state, &name).cloned() else {
        return (
            StatusCode::NOT_FOUND,
            [("x-amzn-errortype", "ResourceNotFoundException"), ("content-type", "application/json")],
            json!({ "Type": "User", "message": format!("Function not found: {name}") }).to_string(),
        )
            .into_response();
    };
    let payload = if payload.is_empty() { Bytes::from_static(b"{}") } else { payload };
    // The caller's trace (the AWS SDK sends it from `_X_AMZN_TRACE_ID`) goes on, as in Lambda.
    let caller = headers.get(crate::trace::TRACE_HTTP_HEADER).and_then(|v| v.to_str().ok());
    let context = crate::trace::InvocationContext::invoked_by(caller);
    if headers.get("x-amz-invocation-type").and_then(|v| v.to_str().ok()) == Some("Event") {
        tokio::spawn(async move {
            function.invoke_traced(payload, context).await;
        });
        return StatusCode::ACCEPTED.into_response();
    }
    let invocation = function.invoke_traced(payload, context).await;
    match invocation.outcome {
        Outcome::Response(body) => {
            (StatusCode::OK, [("x-amz-executed-version", "$LATEST"), ("content-type", "application/json")], body)
                .into_response()
        }
        Outcome::Error(error) => (
            StatusCode::OK,
            [
                ("x-amz-executed-version", "$LATEST"),
                ("x-amz-function-error", "Unhandled"),
                ("content-type", "application/json"),
            ],
            error.to_string(),
        )
            .into_response(),
    }
}

#[derive(serde::Deserialize)]
struct TopicQuery {
    topic: Option<String>,
}

async fn messages(State(state): State<ControlState>, Query(query): Query<TopicQuery>) -> Response {
    let messages = state.messages.snapshot_where(|m| query.topic.as_ref().is_none_or(|t| &m.topic == t));
    Json(messages).into_response()
}

async fn endpoints(State(state): State<ControlState>) -> Response {
    Json(state.endpoints).into_response()
}

async fn usage(State(state): State<ControlState>) -> Response {
    Json(state.usage.snapshot()).into_response()
}

async fn reset_usage(State(state): State<ControlState>) -> Response {
    Json(state.usage.reset()).into_response()
}

async fn invocations(State(state): State<ControlState>) -> Response {
    Json(state.reports.snapshot()).into_response()
}

#[derive(serde::Deserialize)]
struct MetricQuery {
    name: Option<String>,
}

async fn metrics(State(state): State<ControlState>, Query(query): Query<MetricQuery>) -> Response {
    Json(state.metrics.snapshot_where(|m| query.name.as_ref().is_none_or(|name| &m.name == name))).into_response()
}

async fn trace(State(state): State<ControlState>, Path(correlation_id): Path<String>) -> Response {
    Json(crate::trace::path(&correlation_id, &state.hops.snapshot(), &state.messages.snapshot())).into_response()
}

async fn switch(State(state): State<ControlState>, Path((name, action)): Path<(String, String)>) -> Response {
    let enabled = match action.as_str() {
        "enable" => true,
        "disable" => false,
        _ => return (StatusCode::NOT_FOUND, "use enable or disable").into_response(),
    };
    let changed: Vec<String> = state
        .switches
        .iter()
        .filter(|s| s.function == name)
        .map(|s| {
            s.set_enabled(enabled);
            s.id.clone()
        })
        .collect();
    if changed.is_empty() {
        return (StatusCode::NOT_FOUND, format!("{name} has no event source mapping")).into_response();
    }
    Json(json!({ "mappings": changed, "enabled": enabled })).into_response()
}

async fn set_fault(
    State(state): State<ControlState>,
    Path(name): Path<String>,
    Json(fault): Json<crate::lambda::Fault>,
) -> Response {
    match find(&state, &name) {
        Some(function) => {
            function.set_fault(fault);
            Json(fault).into_response()
        }
        None => (StatusCode::NOT_FOUND, format!("no function {name}")).into_response(),
    }
}

async fn clear_fault(State(state): State<ControlState>, Path(name): Path<String>) -> Response {
    match find(&state, &name) {
        Some(function) => {
            function.set_fault(crate::lambda::Fault::default());
            StatusCode::NO_CONTENT.into_response()
        }
        None => (StatusCode::NOT_FOUND, format!("no function {name}")).into_response(),
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenRequest {
    sub: Option<String>,
    #[serde(default = "no_groups")]
    groups: serde_json::Value,
    expires_in_seconds: Option<i64>,
    #[serde(default)]
    claims: serde_json::Map<String, serde_json::Value>,
    /// Absent: the stack key's id; `null`: no `kid`; a string: that `kid`.
    #[serde(default, deserialize_with = "present")]
    kid: Option<Option<String>>,
}

fn no_groups() -> serde_json::Value {
    json!([])
}

/// A field that is present (even as `null`) is `Some`.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    <Option<String> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

async fn token(State(state): State<ControlState>, Json(request): Json<TokenRequest>) -> Response {
    let Some(authorizer) = &state.authorizer else {
        return (StatusCode::NOT_FOUND, "the HTTP API has no JWT authorizer").into_response();
    };
    let sub = request.sub.unwrap_or_else(|| format!("local|{}", uuid::Uuid::new_v4().simple()));
    let mut claims = authorizer.default_claims(&sub, &[], request.expires_in_seconds.unwrap_or(3600));
    claims.insert("groups".to_owned(), request.groups.clone());
    for (name, value) in request.claims {
        if value.is_null() {
            claims.remove(&name);
        } else {
            claims.insert(name, value);
        }
    }
    let kid = request.kid.unwrap_or_else(|| Some(authorizer.key().kid().to_owned()));
    match authorizer.sign(&claims, kid.as_deref()) {
        Ok(token) => {
            let sub = claims.get("sub").cloned().unwrap_or_default();
            Json(json!({ "token": token, "sub": sub, "groups": request.groups, "claims": claims, "kid": kid }))
                .into_response()
        }
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    }
}
