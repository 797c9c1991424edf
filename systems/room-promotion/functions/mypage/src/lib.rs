//! The mypage context (마이페이지): a read model per customer, fed only by reservation,
//! payment and promotion events (CQRS).
//!
//! Read in this order: [`domain`] (the page and how each event moves it; no I/O),
//! [`application`], [`ports`], [`store`], [`policies`] (the consumer), [`http`], [`wiring`].

pub mod application;
pub mod domain;
pub mod http;
pub mod policies;
pub mod ports;
pub mod store;
pub mod wiring;
