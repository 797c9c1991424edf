//! Events of the app (order) context, on `OrderEventsTopic`.

use platform::Won;
use serde::{Deserialize, Serialize};

/// An order was paid and stands (`POST /orders` -> 201; 주문됨). Consumed by store (a
/// `Received` store order) and customer (a notification).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPlaced {
    /// Order id.
    pub order_id: String,
    /// Who ordered (the token's `sub`).
    pub customer_id: String,
    /// The menu item, e.g. `"chicken"`.
    pub item: String,
    /// How many, 1 to 99.
    pub quantity: u32,
    /// What was paid: the menu price at the time of the order x quantity.
    pub amount: Won,
    /// Pay's payment id.
    pub payment_id: String,
}

/// A paid order was cancelled before cooking started (주문취소됨). Consumed by pay (refund)
/// and customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancelled {
    /// Order id.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// The payment to refund.
    pub payment_id: String,
    /// The amount to refund.
    pub amount: Won,
}

/// The app gave up on an order's payment (timeout, error, or an order left `PaymentPending`
/// by a crash): the order is `PaymentFailed`. Consumed by pay, which cancels the payment if
/// it went through, or keeps a tombstone so that a late `Pay` is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentAbandoned {
    /// Order id.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// The amount that was asked.
    pub amount: Won,
}

/// Every event on `OrderEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum OrderEvent {
    /// See [`OrderPlaced`].
    OrderPlaced(OrderPlaced),
    /// See [`OrderCancelled`].
    OrderCancelled(OrderCancelled),
    /// See [`PaymentAbandoned`].
    PaymentAbandoned(PaymentAbandoned),
}
