//! Events of the promotion context, on `PromotionEventsTopic`.

use serde::{Deserialize, Serialize};

/// A promotion was granted for an approved payment (the original's `PromotionSaved`,
/// 프로모션 적립). Consumed by reservation (-> `Confirmed`), mypage and notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromotionGranted {
    /// Promotion id (the original's `couponId`).
    pub promotion_id: String,
    /// The payment it comes from (one promotion per payment).
    pub payment_id: String,
    /// Its reservation.
    pub reservation_id: String,
    /// Who gets it.
    pub customer_id: String,
    /// Their name.
    pub customer_name: String,
    /// The amount paid, in won.
    pub payment_price: u64,
    /// `DISCOUNT COUPON`, `BEVERAGE` or `null`.
    pub service: Option<String>,
    /// Mileage points: `paymentPrice / 10`, rounded down.
    pub points: u64,
}

/// A promotion was taken back because its payment was refunded. Consumed by mypage and
/// notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromotionRevoked {
    /// Promotion id.
    pub promotion_id: String,
    /// Its payment.
    pub payment_id: String,
    /// Its reservation.
    pub reservation_id: String,
    /// Who had it.
    pub customer_id: String,
    /// The service taken back, if any.
    pub service: Option<String>,
    /// The points taken back.
    pub points: u64,
}

/// Every event on `PromotionEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum PromotionEvent {
    /// See [`PromotionGranted`].
    PromotionGranted(PromotionGranted),
    /// See [`PromotionRevoked`].
    PromotionRevoked(PromotionRevoked),
}
