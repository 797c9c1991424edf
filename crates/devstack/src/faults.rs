//! Fault injection for the embedded services, as AWS FIS does for real ones: while a
//! service's fault is set, every request to its HTTP endpoint (the one the functions'
//! SDK clients use) answers `500 InternalError`, so a function sees the service down and
//! its own retry policy is exercised. The stack's own in-process calls (creating
//! resources, taps, event source mappings) are not affected.
//!
//! Services that can fail: `sns`. Set it with [`crate::Stack::set_service_fault`] or the
//! control endpoint (on the Lambda API port, next to [`crate::control`]'s):
//! `PUT /_devstack/services/sns/fault` makes it fail, `DELETE` clears it; both answer
//! `{"service": "sns", "failing": bool}`, and 404 for a service that cannot fail.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rustack_sns_http::body::SnsResponseBody;

use crate::emulators::Emulators;

/// The services whose HTTP endpoint can be made to fail.
pub const SERVICES: &[&str] = &["sns"];

/// Whether one service's endpoint fails; cheap to clone, shared by all clones.
#[derive(Debug, Clone, Default)]
pub struct ServiceFault(Arc<AtomicBool>);

impl ServiceFault {
    /// Makes the endpoint fail (`true`) or answer normally (`false`).
    pub fn set(&self, failing: bool) {
        self.0.store(failing, Ordering::SeqCst);
    }

    /// Whether the endpoint fails now.
    pub fn is_failing(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Emulators {
    /// Makes `service`'s endpoint answer 500 to every request (`failing`) or answer
    /// normally again; false when `service` is not one of [`SERVICES`].
    pub fn set_service_fault(&self, service: &str, failing: bool) -> bool {
        match service {
            "sns" => {
                self.sns_fault.set(failing);
                true
            }
            _ => false,
        }
    }
}

/// The control routes of service faults, merged into the control router.
pub fn router(emulators: Emulators) -> axum::Router {
    axum::Router::new()
        .route("/_devstack/services/{service}/fault", axum::routing::put(fail).delete(recover))
        .with_state(emulators)
}

async fn fail(state: State<Emulators>, service: Path<String>) -> Response {
    set(state, service, true)
}

async fn recover(state: State<Emulators>, service: Path<String>) -> Response {
    set(state, service, false)
}

fn set(State(emulators): State<Emulators>, Path(service): Path<String>, failing: bool) -> Response {
    if emulators.set_service_fault(&service, failing) {
        axum::Json(serde_json::json!({ "service": service, "failing": failing })).into_response()
    } else {
        (StatusCode::NOT_FOUND, format!("service {service} cannot fail; these can: {}", SERVICES.join(", ")))
            .into_response()
    }
}

/// The SNS HTTP service behind a [`ServiceFault`].
#[derive(Clone)]
pub struct FaultySns<S> {
    inner: S,
    fault: ServiceFault,
}

impl<S> FaultySns<S> {
    /// `inner`, failing while `fault` is set.
    pub fn new(inner: S, fault: ServiceFault) -> Self {
        Self { inner, fault }
    }
}

impl<S, R> hyper::service::Service<R> for FaultySns<S>
where
    S: hyper::service::Service<R, Response = http::Response<SnsResponseBody>, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = http::Response<SnsResponseBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: R) -> Self::Future {
        if self.fault.is_failing() {
            let error = rustack_sns_model::error::SnsError::internal_error("injected fault: SNS is unavailable");
            let response = rustack_sns_http::response::error_to_response(&error, &uuid::Uuid::new_v4().to_string());
            return Box::pin(async move { Ok(response) });
        }
        Box::pin(self.inner.call(request))
    }
}
