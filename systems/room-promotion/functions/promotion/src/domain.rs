//! Promotion's rules: [`benefit_of`] (the seed's rule, exact), the [`Promotion`] aggregate and
//! the [`Ledger`] entry of a payment. Plain Rust: no I/O.
//!
//! One promotion per payment at most (`paymentId` is its key). Status: `Granted` ->
//! `Revoked`. A payment refunded before its approval reached promotion gets a Revoked
//! tombstone instead, so the late approval grants nothing.

use platform::Won;
use serde::{Deserialize, Serialize};

platform::uuid_id!(
    /// A promotion's id (the original's `couponId`): a UUID v7 promotion generates.
    PromotionId,
    "a promotion id (UUID)"
);

platform::opaque_id!(
    /// The payment a promotion comes from (payment's id, opaque here).
    PaymentId
);

platform::opaque_id!(
    /// The reservation paid for (opaque here).
    ReservationId
);

platform::opaque_id!(
    /// Who gets it: the token's `sub` (opaque).
    CustomerId
);

/// The service a promotion gives besides points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum Service {
    /// `DISCOUNT COUPON`: a payment of 100000 won or more.
    #[serde(rename = "DISCOUNT COUPON")]
    #[strum(serialize = "DISCOUNT COUPON")]
    DiscountCoupon,
    /// `BEVERAGE`: a payment of 50000 won or more, below 100000.
    #[serde(rename = "BEVERAGE")]
    #[strum(serialize = "BEVERAGE")]
    Beverage,
}

/// The amount from which a payment earns a discount coupon, in won.
pub const COUPON_FROM: Won = Won::new(100_000);
/// The amount from which a payment earns a beverage, in won.
pub const BEVERAGE_FROM: Won = Won::new(50_000);

/// What a payment of `paid` earns, exactly as `Promotion.java`: the service (a coupon from
/// 100000 won, a beverage from 50000, none below) and `paid / 10` points, rounded down.
/// Only an approved payment reaches this rule (the original's `paymentStatus == "Y"`).
pub fn benefit_of(paid: Won) -> (Option<Service>, u64) {
    let service = if paid >= COUPON_FROM {
        Some(Service::DiscountCoupon)
    } else if paid >= BEVERAGE_FROM {
        Some(Service::Beverage)
    } else {
        None
    };
    (service, paid.get() / 10)
}

/// Where a promotion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum PromotionStatus {
    /// Granted (프로모션 적립): its points count in the balance.
    Granted,
    /// Taken back: its payment was refunded. The end.
    Revoked,
}

/// A promotion as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    /// Its id.
    pub id: PromotionId,
    /// The payment it comes from (unique).
    pub payment_id: PaymentId,
    /// The reservation paid for.
    pub reservation_id: ReservationId,
    /// Who gets it.
    pub customer_id: CustomerId,
    /// Their name.
    pub customer_name: String,
    /// The amount paid.
    pub payment_price: Won,
    /// The service, if the amount earns one.
    pub service: Option<Service>,
    /// Mileage points.
    pub points: u64,
    /// Where it is.
    pub status: PromotionStatus,
    /// Optimistic-concurrency version: 1 when granted, +1 per change.
    pub version: u64,
}

/// What promotion publishes; both carry the promotion as it is after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromotionEvent {
    /// `PromotionGranted`.
    Granted(Promotion),
    /// `PromotionRevoked`.
    Revoked(Promotion),
}

/// The approved payment a promotion is granted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedPayment {
    /// The payment.
    pub payment_id: PaymentId,
    /// Its reservation.
    pub reservation_id: ReservationId,
    /// Who paid.
    pub customer_id: CustomerId,
    /// Their name.
    pub customer_name: String,
    /// How much.
    pub amount: Won,
}

impl Promotion {
    /// Grants the promotion `paid` earns by [`benefit_of`]; says `PromotionGranted`.
    pub fn grant(id: PromotionId, paid: ApprovedPayment) -> (Self, Vec<PromotionEvent>) {
        let (service, points) = benefit_of(paid.amount);
        let promotion = Self {
            id,
            payment_id: paid.payment_id,
            reservation_id: paid.reservation_id,
            customer_id: paid.customer_id,
            customer_name: paid.customer_name,
            payment_price: paid.amount,
            service,
            points,
            status: PromotionStatus::Granted,
            version: 1,
        };
        let granted = PromotionEvent::Granted(promotion.clone());
        (promotion, vec![granted])
    }

    /// Takes a granted promotion back; says `PromotionRevoked`. `None` when it is revoked
    /// already: a repeat changes nothing.
    pub fn revoke(&self) -> Option<(Self, Vec<PromotionEvent>)> {
        match self.status {
            PromotionStatus::Granted => {
                let revoked = Self { status: PromotionStatus::Revoked, version: self.version + 1, ..self.clone() };
                Some((revoked.clone(), vec![PromotionEvent::Revoked(revoked)]))
            }
            PromotionStatus::Revoked => None,
        }
    }
}

/// What promotion knows about a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ledger {
    /// Its promotion.
    Promoted(Promotion),
    /// The payment was refunded before its approval arrived: a late approval grants nothing.
    Tombstone,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paid(amount: u64) -> ApprovedPayment {
        ApprovedPayment {
            payment_id: PaymentId::parse("p-1").unwrap(),
            reservation_id: ReservationId::parse("r-1").unwrap(),
            customer_id: CustomerId::parse("auth0|a").unwrap(),
            customer_name: "A".to_owned(),
            amount: Won::new(amount),
        }
    }

    #[test]
    fn the_seed_rule_gives_a_coupon_from_100000_a_beverage_from_50000_and_a_tenth_in_points() {
        let coupon = Some(Service::DiscountCoupon);
        let beverage = Some(Service::Beverage);
        let table = [
            (0, None, 0),
            (49_999, None, 4_999),
            (50_000, beverage, 5_000),
            (99_999, beverage, 9_999),
            (100_000, coupon, 10_000),
            (150_000, coupon, 15_000),
            (45_000, None, 4_500),
            (9, None, 0),
        ];
        for (price, service, points) in table {
            assert_eq!(benefit_of(Won::new(price)), (service, points), "paymentPrice {price}");
        }
        assert_eq!(Service::DiscountCoupon.to_string(), "DISCOUNT COUPON");
        assert_eq!(serde_json::to_value(Service::Beverage).unwrap(), "BEVERAGE");
    }

    #[test]
    fn granting_says_promotion_granted_and_revoking_once_says_promotion_revoked() {
        let (promotion, events) = Promotion::grant(PromotionId::generate(), paid(100_000));
        assert_eq!((promotion.status, promotion.points, promotion.version), (PromotionStatus::Granted, 10_000, 1));
        assert_eq!(promotion.service, Some(Service::DiscountCoupon));
        assert_eq!(events, [PromotionEvent::Granted(promotion.clone())]);
        let (revoked, events) = promotion.revoke().unwrap();
        assert_eq!((revoked.status, revoked.version), (PromotionStatus::Revoked, 2));
        assert_eq!(events, [PromotionEvent::Revoked(revoked.clone())]);
        assert_eq!(revoked.revoke(), None, "a repeat changes nothing");
    }
}
