//! Room promotion's message contracts, in one library used by producers and consumers alike.
//!
//! - Domain event payloads (the envelope's `data`; see [`platform::envelope`]), one module per
//!   producing context, with the topic they go to: [`room`], [`reservation`], [`payment`],
//!   [`promotion`].
//! - The synchronous `Invoke` call reservation -> payment: [`pay_call`].
//!
//! Times are RFC 3339 UTC strings, stay dates `YYYY-MM-DD` (Asia/Seoul), ids opaque strings,
//! amounts whole won ([`platform::Won`], a plain integer on the wire). Each topic has one
//! event enum, adjacently tagged by the envelope's `type`. The envelope's `correlationId` is
//! the reservation id (the room id for room events).

pub mod notification;
pub mod pay_call;
pub mod payment;
pub mod promotion;
pub mod reservation;
pub mod room;
