//! Domain events of the customer context, published to the customer events topic
//! (`CustomerEventsTopic`) through the outbox.

use platform::envelope::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::domain::Customer;

/// A customer signed up. Emitted by `POST /customers`; consumed by the notification
/// context (welcome message). `welcomePoints` is in points.
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

impl From<&Customer> for CustomerRegistered {
    fn from(customer: &Customer) -> Self {
        Self {
            customer_id: customer.id.as_str().to_owned(),
            name: customer.name.as_str().to_owned(),
            email: customer.email.as_str().to_owned(),
            welcome_points: customer.points,
        }
    }
}
