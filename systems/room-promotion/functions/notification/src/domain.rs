//! Which events notify the customer, with what text (the original's Notice service, 알림).
//! Every [`Occasion`] calls for exactly one message, Korean first, then English. No I/O.

use platform::Won;

/// An event the customer is told about. The variant names are the events' envelope types.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Occasion {
    /// `PaymentApproved`.
    PaymentApproved {
        /// Amount paid.
        amount: Won,
    },
    /// `PromotionGranted`.
    PromotionGranted {
        /// The service, if any.
        service: Option<String>,
        /// Points.
        points: u64,
    },
    /// `ReservationCancelled`.
    ReservationCancelled,
    /// `PaymentCancelled`: the refund.
    PaymentCancelled {
        /// Amount given back.
        amount: Won,
    },
    /// `PromotionRevoked`.
    PromotionRevoked {
        /// Points taken back.
        points: u64,
    },
}

/// One message to one customer: published to `NotificationsTopic` with the attributes
/// `customerId` and `eventType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Who is told.
    pub customer_id: String,
    /// The reservation it is about.
    pub reservation_id: String,
    /// The event that caused it.
    pub event_type: &'static str,
    /// Subject line.
    pub subject: String,
    /// Korean, then English.
    pub text: String,
}

impl Occasion {
    /// The message this occasion sends `customer_id` about `reservation_id`.
    pub fn notice(&self, customer_id: &str, reservation_id: &str) -> Notice {
        let (subject, text) = match self {
            Self::PaymentApproved { amount } => (
                "결제 완료 / Payment approved".to_owned(),
                format!(
                    "{}원 결제가 승인되었습니다. / Your payment of {} won was approved.",
                    amount.get(),
                    amount.get()
                ),
            ),
            Self::PromotionGranted { service, points } => {
                let what = service.as_deref().unwrap_or("-");
                (
                    "프로모션 적립 / Promotion granted".to_owned(),
                    format!("{what}, {points} 포인트가 적립되었습니다. / You earned {what} and {points} points."),
                )
            }
            Self::ReservationCancelled => (
                "예약 취소 / Reservation cancelled".to_owned(),
                "예약이 취소되었습니다. / Your reservation was cancelled.".to_owned(),
            ),
            Self::PaymentCancelled { amount } => (
                "환불 / Refund".to_owned(),
                format!("{}원이 환불되었습니다. / {} won were refunded.", amount.get(), amount.get()),
            ),
            Self::PromotionRevoked { points } => (
                "프로모션 회수 / Promotion revoked".to_owned(),
                format!(
                    "프로모션과 {points} 포인트가 회수되었습니다. / The promotion and {points} points were taken back."
                ),
            ),
        };
        Notice {
            customer_id: customer_id.to_owned(),
            reservation_id: reservation_id.to_owned(),
            event_type: self.into(),
            subject,
            text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_occasion_is_one_message_named_by_its_event_type() {
        let granted = Occasion::PromotionGranted { service: Some("DISCOUNT COUPON".into()), points: 10_000 };
        let notice = granted.notice("auth0|a", "r-1");
        assert_eq!((notice.event_type, notice.customer_id.as_str()), ("PromotionGranted", "auth0|a"));
        assert!(notice.text.contains("DISCOUNT COUPON") && notice.text.contains("10000"));
        assert_eq!(
            Occasion::PaymentCancelled { amount: Won::new(100_000) }.notice("a", "r").event_type,
            "PaymentCancelled"
        );
        assert_eq!(Occasion::ReservationCancelled.notice("a", "r").event_type, "ReservationCancelled");
    }
}
