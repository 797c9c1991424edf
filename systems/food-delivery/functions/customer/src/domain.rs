//! Which events notify whom with what text (FR 8: a notification at every status change).
//!
//! Every [`Occasion`] calls for exactly one message to the customer it concerns, Korean
//! first, then English; the message is the domain event [`CustomerNotified`]. The occasions
//! are the order's status changes (placed and paid, cooking, dispatched, cancelled) and the
//! payment's cancellation (refund, or the void of a payment whose order failed). No I/O here.

use platform::Won;

platform::opaque_id!(
    /// A customer id: the `sub` of the customer's token.
    CustomerId
);

platform::opaque_id!(
    /// An order id (opaque here).
    OrderId
);

/// A status change the customer is told about. The variant names are the envelope types of
/// the events that tell of them.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Occasion {
    /// `OrderPlaced` (app): ordered and paid.
    OrderPlaced {
        /// Who ordered.
        customer_id: CustomerId,
        /// The order.
        order_id: OrderId,
        /// What.
        item: String,
        /// How many.
        quantity: u32,
        /// Paid.
        amount: Won,
    },
    /// `CookingStarted` (store).
    CookingStarted {
        /// Who ordered.
        customer_id: CustomerId,
        /// The order.
        order_id: OrderId,
    },
    /// `DeliveryDispatched` (store): 배달출발.
    DeliveryDispatched {
        /// Who ordered.
        customer_id: CustomerId,
        /// The order.
        order_id: OrderId,
    },
    /// `OrderCancelled` (app).
    OrderCancelled {
        /// Who ordered.
        customer_id: CustomerId,
        /// The order.
        order_id: OrderId,
    },
    /// `PaymentCancelled` (pay): the money is given back.
    PaymentCancelled {
        /// Who paid.
        customer_id: CustomerId,
        /// The order.
        order_id: OrderId,
        /// Given back.
        amount: Won,
    },
}

/// The events the customer context produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationEvent {
    /// A customer was notified.
    CustomerNotified(CustomerNotified),
}

/// One notification to one customer. Published to `NotificationsTopic` (subject and text,
/// with the attributes `customerId` and `eventType`) and recorded as `CustomerNotified`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerNotified {
    /// Who is told.
    pub customer_id: CustomerId,
    /// The order it is about.
    pub order_id: OrderId,
    /// The envelope type of the event that caused it, e.g. `DeliveryDispatched`.
    pub occasion: &'static str,
    /// Subject line, Korean / English, well under SNS's 100 characters.
    pub subject: String,
    /// The text: Korean, a newline, then English.
    pub text: String,
}

impl Occasion {
    /// The customer and order this occasion concerns.
    pub fn about(&self) -> (&CustomerId, &OrderId) {
        match self {
            Self::OrderPlaced { customer_id, order_id, .. }
            | Self::CookingStarted { customer_id, order_id }
            | Self::DeliveryDispatched { customer_id, order_id }
            | Self::OrderCancelled { customer_id, order_id }
            | Self::PaymentCancelled { customer_id, order_id, .. } => (customer_id, order_id),
        }
    }

    /// Decides what the customer is told: exactly one notification.
    pub fn notify(&self) -> Vec<NotificationEvent> {
        let (customer_id, order_id) = self.about();
        let (subject, text) = match self {
            Self::OrderPlaced { item, quantity, amount, .. } => (
                "주문이 접수되었습니다 / Your order is in".to_owned(),
                format!(
                    "{item} {quantity}개 주문과 결제({}원)가 완료되었습니다 (주문 {order_id}).\n\
                     Your order {order_id} for {quantity} x {item} is paid ({} won).",
                    amount.get(),
                    amount.get()
                ),
            ),
            Self::CookingStarted { .. } => (
                "요리를 시작했습니다 / Cooking has started".to_owned(),
                format!("주문 {order_id}의 요리를 시작했습니다.\nThe store started cooking order {order_id}."),
            ),
            Self::DeliveryDispatched { .. } => (
                "배달이 출발했습니다 / Your food is on its way".to_owned(),
                format!("주문 {order_id}의 배달이 출발했습니다.\nOrder {order_id} is on its way."),
            ),
            Self::OrderCancelled { .. } => (
                "주문이 취소되었습니다 / Your order was cancelled".to_owned(),
                format!("주문 {order_id}이(가) 취소되었습니다.\nYour order {order_id} was cancelled."),
            ),
            Self::PaymentCancelled { amount, .. } => (
                "결제가 취소되었습니다 / Your payment was given back".to_owned(),
                format!(
                    "주문 {order_id}의 결제 {}원이 취소되었습니다.\nThe payment of {} won for order {order_id} was given back.",
                    amount.get(),
                    amount.get()
                ),
            ),
        };
        vec![NotificationEvent::CustomerNotified(CustomerNotified {
            customer_id: customer_id.clone(),
            order_id: order_id.clone(),
            occasion: self.into(),
            subject,
            text,
        })]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kim() -> CustomerId {
        CustomerId::parse("auth0|kim").unwrap()
    }

    fn order() -> OrderId {
        OrderId::parse("o-1").unwrap()
    }

    fn all() -> Vec<Occasion> {
        vec![
            Occasion::OrderPlaced {
                customer_id: kim(),
                order_id: order(),
                item: "chicken".into(),
                quantity: 2,
                amount: Won::new(36000),
            },
            Occasion::CookingStarted { customer_id: kim(), order_id: order() },
            Occasion::DeliveryDispatched { customer_id: kim(), order_id: order() },
            Occasion::OrderCancelled { customer_id: kim(), order_id: order() },
            Occasion::PaymentCancelled { customer_id: kim(), order_id: order(), amount: Won::new(36000) },
        ]
    }

    #[test]
    fn every_status_change_is_exactly_one_notification_to_its_customer_named_by_its_event() {
        let names: Vec<&str> = all()
            .iter()
            .map(|occasion| {
                let [NotificationEvent::CustomerNotified(told)] = occasion.notify().try_into().unwrap();
                assert_eq!((&told.customer_id, &told.order_id), (&kim(), &order()));
                assert!(told.subject.chars().count() <= 100, "{}", told.subject);
                assert!(told.text.contains('\n'), "Korean, then English");
                told.occasion
            })
            .collect();
        assert_eq!(
            names,
            ["OrderPlaced", "CookingStarted", "DeliveryDispatched", "OrderCancelled", "PaymentCancelled"]
        );
    }

    #[test]
    fn the_placed_notification_names_the_item_quantity_and_amount() {
        let [NotificationEvent::CustomerNotified(told)] = all()[0].notify().try_into().unwrap();
        assert_eq!(
            told.text,
            "chicken 2개 주문과 결제(36000원)가 완료되었습니다 (주문 o-1).\nYour order o-1 for 2 x chicken is paid (36000 won)."
        );
    }
}
