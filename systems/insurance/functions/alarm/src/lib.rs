//! The alarm context (알림): sends an AlimTalk message for each step of a customer's plan and
//! proposal (FR 7, NFR 3.ii): it stores each message (the original's `/msgs`) and publishes it
//! to the system's notifications topic with the attributes `customerId` (the customer number)
//! and `eventType`. A customer reads their own messages; the insurance manager any customer's.
//!
//! Read in this order: [`domain`] (which events, what text; no I/O), [`application`],
//! [`ports`] and [`store`], [`http`] (`GET /msgs`), [`policies`] (the consumer), [`wiring`].

pub mod application;
pub mod domain;
pub mod http;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;

/// The `source` of every event this context emits.
pub const SOURCE: &str = "alarm";

/// The insurance manager's group (보험관리자): reads any customer's messages.
pub const INSURANCE_MANAGER: &str = "insuranceManager";
