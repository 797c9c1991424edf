//! The mypage context (마이페이지): a read model per customer, fed only by reservation,
//! payment and promotion events (CQRS).
//!
//! Read in this order: [`domain`] (the page and how each event moves it; no I/O).

pub mod domain;
