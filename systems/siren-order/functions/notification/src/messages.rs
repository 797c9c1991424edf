//! The customer messages, in Korean and English.

use contracts::customer::CustomerRegistered;
use contracts::delivery::{DeliveryCompleted, OrderWaited};
use contracts::order::OrderCancelled;
use platform::EventEnvelope;
use platform::envelope::DomainEvent;

/// A message for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Who receives it.
    pub customer_id: String,
    /// Subject line.
    pub subject: String,
    /// The text: Korean, then English.
    pub text: String,
}

/// The message an event calls for; `Ok(None)` for events that call for none.
///
/// # Errors
/// When the event's data does not match its type.
pub fn compose(event: &EventEnvelope) -> Result<Option<Message>, serde_json::Error> {
    let data = event.data.clone();
    Ok(Some(match event.event_type.as_str() {
        CustomerRegistered::TYPE => {
            let e: CustomerRegistered = serde_json::from_value(data)?;
            Message {
                customer_id: e.customer_id,
                subject: "사이렌오더에 오신 것을 환영합니다 / Welcome to SirenOrder".to_owned(),
                text: format!(
                    "{name}님, 가입을 환영합니다! 웰컴 포인트 {points}점이 적립되었습니다.\n\
                     Welcome, {name}! {points} welcome points are yours.",
                    name = e.name,
                    points = e.welcome_points
                ),
            }
        }
        OrderWaited::TYPE => {
            let e: OrderWaited = serde_json::from_value(data)?;
            Message {
                customer_id: e.customer_id,
                subject: format!("대기번호 {n}번 / Your waiting number is {n}", n = e.waiting_number),
                text: format!(
                    "주문이 접수되었습니다. 대기번호는 {n}번입니다.\n\
                     Your order is in. Your waiting number is {n}.",
                    n = e.waiting_number
                ),
            }
        }
        DeliveryCompleted::TYPE => {
            let e: DeliveryCompleted = serde_json::from_value(data)?;
            Message {
                customer_id: e.customer_id,
                subject: format!("{n}번 음료가 준비되었습니다 / Number {n} is ready", n = e.waiting_number),
                text: format!(
                    "대기번호 {n}번 음료가 준비되었습니다. 픽업대에서 받아 가세요.\n\
                     Number {n}: your order is ready at the pickup counter.",
                    n = e.waiting_number
                ),
            }
        }
        OrderCancelled::TYPE => {
            let e: OrderCancelled = serde_json::from_value(data)?;
            Message {
                customer_id: e.customer_id,
                subject: "주문이 취소되었습니다 / Your order was cancelled".to_owned(),
                text: format!(
                    "주문({amount}원)이 취소되었습니다.\n\
                     Your order ({amount} won) was cancelled.",
                    amount = e.amount
                ),
            }
        }
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_waiting_number_is_in_both_languages() {
        let waited =
            OrderWaited { delivery_id: "d".into(), order_id: "o".into(), customer_id: "c".into(), waiting_number: 7 };
        let event = EventEnvelope::new("delivery", "o", None, &waited).unwrap();
        let message = compose(&event).unwrap().unwrap();
        assert_eq!(message.customer_id, "c");
        assert!(message.text.contains("대기번호는 7번"));
        assert!(message.text.contains("waiting number is 7"));
    }

    #[test]
    fn other_events_call_for_no_message() {
        let event = EventEnvelope::new(
            "order",
            "o",
            None,
            &contracts::order::OrderCompleted { order_id: "o".into(), customer_id: "c".into(), amount: 1 },
        )
        .unwrap();
        assert_eq!(compose(&event).unwrap(), None);
    }
}
