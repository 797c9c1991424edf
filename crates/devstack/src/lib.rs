//! `devstack`: runs an AWS SAM template on one machine, with no AWS account and no Docker.
//!
//! - DynamoDB (with Streams), SQS and SNS are embedded emulators ([`emulators`]), served
//!   on loopback so functions use the real AWS SDK through `AWS_ENDPOINT_URL_*`.
//! - Tables, queues, topics and subscriptions come from the template ([`resources`]),
//!   with parameters and intrinsic functions resolved ([`template`]).
//! - Each function runs as processes of its own bootstrap binary speaking the Lambda
//!   Runtime API ([`lambda`]), fed by HTTP API routes ([`gateway`]), DynamoDB stream and
//!   SQS event source mappings ([`esm`]) and the Lambda `Invoke` API ([`control`]).
//!
//! It knows SAM and AWS, nothing about the application it runs.

pub mod auth;
pub mod build;
pub mod control;
pub mod durable_sqs;
pub mod emulators;
pub mod esm;
pub mod faults;
pub mod filter;
pub mod gateway;
pub mod lambda;
pub mod log;
pub mod metrics;
pub mod model;
pub mod observe;
pub mod openapi;
pub mod resources;
pub mod schedule;
pub mod stack;
pub mod system;
pub mod template;
pub mod testing;
pub mod trace;
pub mod usage;

pub use stack::{Stack, StackOptions};
pub use system::System;
