//! Shared plumbing for the Lambda functions of a serverless system.
//!
//! Nothing here knows the business: it gives every context the same way to read
//! its configuration, build AWS clients, speak HTTP (JSON in and out, RFC 9457
//! problem details), wrap domain events in one envelope, write them through a
//! transactional outbox, relay them from a DynamoDB stream to SNS, and consume
//! them idempotently from SQS.

pub mod auth;
pub mod aws;
pub mod breaker;
pub mod config;
pub mod dynamo;
pub mod envelope;
pub mod http;
pub mod id;
pub mod idempotency;
pub mod inbox;
pub mod invoke;
pub mod lambda;
pub mod logging;
pub mod metrics;
pub mod money;
pub mod openapi;
pub mod outbox;
pub mod page;
pub mod relay;
pub mod retry;
pub mod text;
pub mod trace;
pub mod zone;

pub use envelope::EventEnvelope;
pub use money::Won;

#[doc(hidden)]
pub use uuid as __uuid;

#[cfg(feature = "testing")]
pub mod testing;
