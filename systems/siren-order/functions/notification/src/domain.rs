//! Which events notify whom with what text.
//!
//! Every [`Occasion`] calls for exactly one message to the customer it concerns, Korean
//! first, then English; the message is the domain event [`CustomerNotified`]. No I/O here.

use platform::Won;

platform::opaque_id!(
    /// A customer id: the `sub` of the customer's token (a UUID, `auth0|...`, digits).
    CustomerId
);

/// Something that happened which the customer is told about: the events this context
/// consumes, in its own terms. The variant names are the events' envelope types.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Occasion {
    /// The customer signed up (`CustomerRegistered`, from the customer context): welcome.
    CustomerRegistered {
        /// The new customer.
        customer_id: CustomerId,
        /// Their display name.
        name: String,
        /// The points granted on sign-up.
        welcome_points: u64,
    },
    /// The counter took the order (`OrderWaited`, from the delivery context): the waiting number.
    OrderWaited {
        /// Who ordered.
        customer_id: CustomerId,
        /// The day's waiting number, from 1.
        waiting_number: u32,
    },
    /// The drink is ready (`DeliveryCompleted`, from the delivery context).
    DeliveryCompleted {
        /// Who ordered.
        customer_id: CustomerId,
        /// The order's waiting number.
        waiting_number: u32,
    },
    /// The order was cancelled (`OrderCancelled`, from the order context).
    OrderCancelled {
        /// Who ordered.
        customer_id: CustomerId,
        /// The order's total.
        amount: Won,
    },
}

/// The events the notification context produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationEvent {
    /// A message was sent to a customer.
    CustomerNotified(CustomerNotified),
}

/// One message to one customer. Published to `NotificationsTopic` (subject and text, with
/// the attributes `customerId` and `eventType` that subscriptions filter on) and recorded
/// as the `CustomerNotified` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerNotified {
    /// Who is told.
    pub customer_id: CustomerId,
    /// The envelope type of the event that caused it, e.g. `OrderWaited`.
    pub occasion: &'static str,
    /// Subject line (email subject), Korean / English, well under SNS's 100 characters.
    pub subject: String,
    /// The text: Korean, a newline, then English.
    pub text: String,
}

impl Occasion {
    /// The customer this occasion concerns.
    pub fn customer_id(&self) -> &CustomerId {
        match self {
            Self::CustomerRegistered { customer_id, .. }
            | Self::OrderWaited { customer_id, .. }
            | Self::DeliveryCompleted { customer_id, .. }
            | Self::OrderCancelled { customer_id, .. } => customer_id,
        }
    }

    /// Decides what the customer is told: exactly one message.
    pub fn notify(&self) -> Vec<NotificationEvent> {
        let (subject, text) = match self {
            Self::CustomerRegistered { name, welcome_points, .. } => (
                "사이렌오더에 오신 것을 환영합니다 / Welcome to SirenOrder".to_owned(),
                format!(
                    "{name}님, 가입을 환영합니다! 웰컴 포인트 {welcome_points}점이 적립되었습니다.\n\
                     Welcome, {name}! {welcome_points} welcome points are yours."
                ),
            ),
            Self::OrderWaited { waiting_number: n, .. } => (
                format!("대기번호 {n}번 / Your waiting number is {n}"),
                format!(
                    "주문이 접수되었습니다. 대기번호는 {n}번입니다.\n\
                     Your order is in. Your waiting number is {n}."
                ),
            ),
            Self::DeliveryCompleted { waiting_number: n, .. } => (
                format!("{n}번 음료가 준비되었습니다 / Number {n} is ready"),
                format!(
                    "대기번호 {n}번 음료가 준비되었습니다. 픽업대에서 받아 가세요.\n\
                     Number {n}: your order is ready at the pickup counter."
                ),
            ),
            Self::OrderCancelled { amount, .. } => {
                // The bare number: `Won`'s Display already says "won", and Korean says 원.
                let amount = amount.get();
                (
                    "주문이 취소되었습니다 / Your order was cancelled".to_owned(),
                    format!(
                        "주문({amount}원)이 취소되었습니다.\n\
                         Your order ({amount} won) was cancelled."
                    ),
                )
            }
        };
        vec![NotificationEvent::CustomerNotified(CustomerNotified {
            customer_id: self.customer_id().clone(),
            occasion: self.into(),
            subject,
            text,
        })]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minji() -> CustomerId {
        CustomerId::parse("auth0|minji").unwrap()
    }

    fn told(occasion: &'static str, subject: &str, text: &str) -> Vec<NotificationEvent> {
        vec![NotificationEvent::CustomerNotified(CustomerNotified {
            customer_id: minji(),
            occasion,
            subject: subject.to_owned(),
            text: text.to_owned(),
        })]
    }

    #[test]
    fn a_new_customer_is_welcomed_with_their_points() {
        let occasion =
            Occasion::CustomerRegistered { customer_id: minji(), name: "Kim Minji".into(), welcome_points: 1000 };
        assert_eq!(
            occasion.notify(),
            told(
                "CustomerRegistered",
                "사이렌오더에 오신 것을 환영합니다 / Welcome to SirenOrder",
                "Kim Minji님, 가입을 환영합니다! 웰컴 포인트 1000점이 적립되었습니다.\n\
                 Welcome, Kim Minji! 1000 welcome points are yours."
            )
        );
    }

    #[test]
    fn a_waiting_order_tells_its_number_in_both_languages() {
        let occasion = Occasion::OrderWaited { customer_id: minji(), waiting_number: 1 };
        assert_eq!(
            occasion.notify(),
            told(
                "OrderWaited",
                "대기번호 1번 / Your waiting number is 1",
                "주문이 접수되었습니다. 대기번호는 1번입니다.\nYour order is in. Your waiting number is 1."
            )
        );
    }

    #[test]
    fn a_completed_delivery_says_the_number_is_ready() {
        let occasion = Occasion::DeliveryCompleted { customer_id: minji(), waiting_number: 7 };
        assert_eq!(
            occasion.notify(),
            told(
                "DeliveryCompleted",
                "7번 음료가 준비되었습니다 / Number 7 is ready",
                "대기번호 7번 음료가 준비되었습니다. 픽업대에서 받아 가세요.\n\
                 Number 7: your order is ready at the pickup counter."
            )
        );
    }

    #[test]
    fn a_cancellation_names_the_amount_once_per_language() {
        let occasion = Occasion::OrderCancelled { customer_id: minji(), amount: Won::new(9000) };
        assert_eq!(
            occasion.notify(),
            told(
                "OrderCancelled",
                "주문이 취소되었습니다 / Your order was cancelled",
                "주문(9000원)이 취소되었습니다.\nYour order (9000 won) was cancelled."
            )
        );
    }

    #[test]
    fn every_subject_fits_an_sns_subject() {
        let occasions = [
            Occasion::CustomerRegistered { customer_id: minji(), name: "x".into(), welcome_points: u64::MAX },
            Occasion::OrderWaited { customer_id: minji(), waiting_number: u32::MAX },
            Occasion::DeliveryCompleted { customer_id: minji(), waiting_number: u32::MAX },
            Occasion::OrderCancelled { customer_id: minji(), amount: Won::new(u64::MAX) },
        ];
        for occasion in &occasions {
            let [NotificationEvent::CustomerNotified(told)] = occasion.notify().try_into().unwrap();
            assert!(told.subject.chars().count() <= 100, "{}", told.subject);
            assert_eq!(&told.customer_id, occasion.customer_id());
        }
    }
}
