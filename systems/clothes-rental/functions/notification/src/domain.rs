//! Which events mail whom with what text (메일; FR 9: a mail at every order status change).
//!
//! Every [`Occasion`] calls for exactly one message to the customer it concerns, Korean
//! first, then English; the message is the domain event [`CustomerNotified`]. The five
//! occasions are the five order status changes: placed, cancelled, shipped, return
//! requested, returned. No I/O here.

platform::opaque_id!(
    /// A customer id: the `sub` of the customer's token.
    CustomerId
);

platform::opaque_id!(
    /// An order id (opaque here).
    OrderId
);

/// An order status change the customer is told about. The variant names are the envelope
/// types of the events that tell of them.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Occasion {
    /// `OrderPlaced` (order): the order is in.
    OrderPlaced {
        /// Who ordered.
        customer_id: CustomerId,
        /// The order.
        order_id: OrderId,
        /// What.
        product_id: String,
        /// How many.
        qty: u32,
    },
    /// `OrderCancelled` (order).
    OrderCancelled {
        /// Who ordered.
        customer_id: CustomerId,
        /// The order.
        order_id: OrderId,
    },
    /// `Shipped` (delivery).
    Shipped {
        /// Who ordered.
        customer_id: CustomerId,
        /// The order.
        order_id: OrderId,
    },
    /// `ReturnRequested` (order).
    ReturnRequested {
        /// Who ordered.
        customer_id: CustomerId,
        /// The order.
        order_id: OrderId,
    },
    /// `ReturnCollected` (delivery): returned.
    ReturnCollected {
        /// Who ordered.
        customer_id: CustomerId,
        /// The order.
        order_id: OrderId,
    },
}

/// The events the notification context produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationEvent {
    /// A mail was sent to a customer.
    CustomerNotified(CustomerNotified),
}

/// One mail to one customer. Published to `NotificationsTopic` (subject and text, with the
/// attributes `customerId` and `eventType`) and recorded as the `CustomerNotified` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerNotified {
    /// Who is told.
    pub customer_id: CustomerId,
    /// The order it is about.
    pub order_id: OrderId,
    /// The envelope type of the event that caused it, e.g. `Shipped`.
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
            | Self::OrderCancelled { customer_id, order_id }
            | Self::Shipped { customer_id, order_id }
            | Self::ReturnRequested { customer_id, order_id }
            | Self::ReturnCollected { customer_id, order_id } => (customer_id, order_id),
        }
    }

    /// Decides what the customer is told: exactly one mail.
    pub fn notify(&self) -> Vec<NotificationEvent> {
        let (customer_id, order_id) = self.about();
        let (subject, text) = match self {
            Self::OrderPlaced { product_id, qty, .. } => (
                "주문이 접수되었습니다 / Your order is in".to_owned(),
                format!(
                    "의류 {product_id} {qty}벌 주문이 접수되었습니다 (주문 {order_id}).\n\
                     Your order {order_id} for {qty} x {product_id} is in."
                ),
            ),
            Self::OrderCancelled { .. } => (
                "주문이 취소되었습니다 / Your order was cancelled".to_owned(),
                format!("주문 {order_id}이(가) 취소되었습니다.\nYour order {order_id} was cancelled."),
            ),
            Self::Shipped { .. } => (
                "배송이 시작되었습니다 / Your clothes have shipped".to_owned(),
                format!("주문 {order_id}의 의류가 배송되었습니다.\nThe clothes of order {order_id} have shipped."),
            ),
            Self::ReturnRequested { .. } => (
                "반납이 접수되었습니다 / Your return is requested".to_owned(),
                format!(
                    "주문 {order_id}의 반납 요청이 접수되었습니다. 배송팀이 회수하러 갑니다.\n\
                     The return of order {order_id} is requested; the delivery team will collect it."
                ),
            ),
            Self::ReturnCollected { .. } => (
                "반납이 완료되었습니다 / Your return is complete".to_owned(),
                format!("주문 {order_id}의 의류가 회수되었습니다.\nThe clothes of order {order_id} were collected."),
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
            Occasion::OrderPlaced { customer_id: kim(), order_id: order(), product_id: "1001".into(), qty: 5 },
            Occasion::OrderCancelled { customer_id: kim(), order_id: order() },
            Occasion::Shipped { customer_id: kim(), order_id: order() },
            Occasion::ReturnRequested { customer_id: kim(), order_id: order() },
            Occasion::ReturnCollected { customer_id: kim(), order_id: order() },
        ]
    }

    #[test]
    fn every_status_change_is_exactly_one_mail_to_its_customer_named_by_its_event() {
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
        assert_eq!(names, ["OrderPlaced", "OrderCancelled", "Shipped", "ReturnRequested", "ReturnCollected"]);
    }

    #[test]
    fn the_ordered_mail_names_the_clothes_and_quantity() {
        let [NotificationEvent::CustomerNotified(told)] = all()[0].notify().try_into().unwrap();
        assert_eq!(told.subject, "주문이 접수되었습니다 / Your order is in");
        assert_eq!(told.text, "의류 1001 5벌 주문이 접수되었습니다 (주문 o-1).\nYour order o-1 for 5 x 1001 is in.");
    }
}
