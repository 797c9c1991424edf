//! Events of the customer context, on `CustomerEventsTopic`.

use serde::{Deserialize, Serialize};

/// A customer registered (고객등록됨). Consumed by plan (its customer copy), mypage and alarm
/// (who may read a customer's rows and messages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRegistered {
    /// The 9-digit customer number, e.g. `"000000002"`.
    pub customer_no: String,
    /// Their name.
    pub name: String,
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: String,
    /// The token `sub` that registered (opaque): who acts as this customer.
    pub subject: String,
}

/// Every event on `CustomerEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum CustomerEvent {
    /// See [`CustomerRegistered`].
    CustomerRegistered(CustomerRegistered),
}
