//! The black-box test harness every system's tests use.
//!
//! - [`TestApp`]: one isolated, in-memory local stack of a system's template on free
//!   ports, with tokens for any subject and groups, typed HTTP calls, polling with a
//!   deadline, SNS taps, table reads by logical id, consumer switches and fault injection.
//! - [`StackProcess`]: the same stack as its own `devstack up` process with a state folder,
//!   for drills that kill it (`kill -9`, Ctrl-C) and start it again.
//! - [`lint`]: the rules every template must keep (variables set, safe event source
//!   mappings, dead-letter queues, streams and TTL, unique routes, workspace-unique
//!   binaries, a sample event per function), as one function a system runs on its own
//!   template.
//! - [`openapi`]: the checks every system's generated OpenAPI document keeps (no drift from
//!   the committed file, the template's routes, documented answers, the public routes, served
//!   by the local stack).
//! - [`golden`]: the walk over a system's sample events (`events/`) that takes out every
//!   event envelope of the queue and stream batches, for the system's round-trip checks.
//! - [`bench`]: the load replays' shared harness (percentiles, counts, runs, settling,
//!   queue depths, the report file).
//!
//! It knows SAM, AWS and HTTP; each system adds its own business calls on top (an
//! extension trait or a wrapper in the system's package).

pub mod app;
pub mod bench;
pub mod golden;
pub mod lint;
pub mod openapi;
pub mod process;

pub use app::{Reply, TestApp, event_of, new_subject, poll_until, send};
pub use devstack::System;
pub use process::StackProcess;

/// The system whose folder holds `path`, e.g. `stack_test::system(env!("CARGO_MANIFEST_DIR"))`.
///
/// # Panics
/// When `path` is not inside a system folder (one with `infra/template.yaml`).
pub fn system(path: impl AsRef<std::path::Path>) -> System {
    devstack::testing::system_of(path)
}
