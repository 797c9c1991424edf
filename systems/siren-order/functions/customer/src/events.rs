//! Domain events of the customer context, published to `CustomerEventsTopic` through the
//! outbox. The payload types are the shared contracts ([`contracts::customer`]).

pub use contracts::customer::{CustomerRegistered, PointsChanged};

use crate::domain::Customer;

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
