//! The notification context (알림, the original's Notice service): turns reservation,
//! payment and promotion events into customer messages on the notifications topic.
//!
//! Read in this order: [`domain`] (which event says what; no I/O).

pub mod domain;
