//! Events of the reservation context, on `ReservationEventsTopic`.

use platform::Won;
use serde::{Deserialize, Serialize};

/// A reservation was placed (예약됨). Consumed by mypage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservationPlaced {
    /// Reservation id.
    pub reservation_id: String,
    /// Who reserved (the token's `sub`).
    pub customer_id: String,
    /// Their name (the token's `name`).
    pub customer_name: String,
    /// The room.
    pub room_id: String,
    /// Its name at the time.
    pub room_name: String,
    /// First night, `YYYY-MM-DD`.
    pub check_in: String,
    /// Number of nights, 1..30.
    pub nights: u32,
    /// `pricePerNight x nights`, in won.
    pub amount: Won,
}

/// A reservation was cancelled (예약취소됨). Consumed by payment (refund or tombstone),
/// mypage and notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservationCancelled {
    /// Reservation id.
    pub reservation_id: String,
    /// Who reserved.
    pub customer_id: String,
    /// Its payment, when the reservation knew one.
    #[serde(default)]
    pub payment_id: Option<String>,
    /// Why, e.g. `CustomerCancelled`.
    pub reason: String,
}

/// Every event on `ReservationEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ReservationEvent {
    /// See [`ReservationPlaced`].
    ReservationPlaced(ReservationPlaced),
    /// See [`ReservationCancelled`].
    ReservationCancelled(ReservationCancelled),
}
