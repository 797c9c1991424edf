//! Events of the customer context, on `CustomerEventsTopic`.

use platform::envelope::DomainEvent;
use serde::{Deserialize, Serialize};

/// A customer signed up (from `POST /customers`). Consumed by notification (welcome).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRegistered {
    /// The new customer's id.
    pub customer_id: String,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Points granted on sign-up.
    pub welcome_points: u64,
}

impl DomainEvent for CustomerRegistered {
    const TYPE: &'static str = "CustomerRegistered";
}

/// A customer's points balance changed (earned by an order, taken back by its
/// cancellation). Consumed by report (optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsChanged {
    /// The customer.
    pub customer_id: String,
    /// Signed change in points.
    pub delta: i64,
    /// Balance after the change.
    pub balance: u64,
    /// `OrderPlaced` (earned) or `OrderCancelled` (taken back).
    pub reason: String,
    /// The order that caused the change.
    pub order_id: Option<String>,
}

impl DomainEvent for PointsChanged {
    const TYPE: &'static str = "PointsChanged";
}

/// Every event on `CustomerEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum CustomerEvent {
    /// See [`CustomerRegistered`].
    CustomerRegistered(CustomerRegistered),
    /// See [`PointsChanged`].
    PointsChanged(PointsChanged),
}
