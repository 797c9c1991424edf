//! The report's read model.
//!
//! Each order's view is a set of facts, each written by exactly one kind of event
//! (placed, waited, completed, cancelled). Writing a fact twice writes the same value, and
//! facts can arrive in any order: the status is derived from which facts are known
//! (cancelled > completed > waiting > placed), so a duplicate, reordered or late event
//! never corrupts the view, and a cancellation recorded after a completion takes the order
//! out of the revenue.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use contracts::order::OrderLine;
use serde::Serialize;

/// What is known about one order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderFacts {
    /// Order id.
    pub order_id: String,
    /// Who ordered (from OrderPlaced).
    pub customer_id: Option<String>,
    /// Total in won (from OrderPlaced).
    pub amount: Option<u64>,
    /// Lines (from OrderPlaced).
    pub lines: Vec<OrderLine>,
    /// When it was placed (from OrderPlaced).
    pub placed_at: Option<DateTime<Utc>>,
    /// The waiting number (from OrderWaited).
    pub waiting_number: Option<u32>,
    /// When it was completed (OrderCompleted's time).
    pub completed_at: Option<DateTime<Utc>>,
    /// When it was cancelled (OrderCancelled's time).
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl OrderFacts {
    /// The status the known facts imply.
    pub fn status(&self) -> &'static str {
        if self.cancelled_at.is_some() {
            "Cancelled"
        } else if self.completed_at.is_some() {
            "Completed"
        } else if self.waiting_number.is_some() {
            "Waiting"
        } else {
            "Placed"
        }
    }
}

/// One product's line in the sales report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductSales {
    /// Product id.
    pub product_id: String,
    /// Current name (from the product events), else the name at order time.
    pub name: String,
    /// Units sold (orders not cancelled).
    pub quantity: u64,
    /// Revenue in won.
    pub revenue: u64,
}

/// Cancelled orders of the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cancellations {
    /// How many.
    pub count: u64,
    /// Their total in won.
    pub amount: u64,
}

/// The owner's sales report of one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesReport {
    /// The shop's local day, `YYYY-MM-DD`.
    pub date: String,
    /// Orders placed that day and not cancelled.
    pub orders: u64,
    /// Their total in won.
    pub revenue: u64,
    /// Orders placed that day and cancelled.
    pub cancelled: Cancellations,
    /// Per product, by revenue (highest first).
    pub products: Vec<ProductSales>,
    /// Orders completed (and not cancelled).
    pub completed_orders: u64,
    /// Mean time from Placed to Completed over those, in seconds; `null` without any.
    pub average_completion_seconds: Option<f64>,
}

impl SalesReport {
    /// The report of `date` from the day's order views; `names` are the current product
    /// names by id.
    pub fn compute(date: &str, orders: &[OrderFacts], names: &BTreeMap<String, String>) -> Self {
        let mut report = Self {
            date: date.to_owned(),
            orders: 0,
            revenue: 0,
            cancelled: Cancellations { count: 0, amount: 0 },
            products: Vec::new(),
            completed_orders: 0,
            average_completion_seconds: None,
        };
        let mut products: BTreeMap<String, ProductSales> = BTreeMap::new();
        let mut completion_seconds = Vec::new();
        for order in orders.iter().filter(|o| o.placed_at.is_some()) {
            let amount = order.amount.unwrap_or(0);
            if order.cancelled_at.is_some() {
                report.cancelled.count += 1;
                report.cancelled.amount += amount;
                continue;
            }
            report.orders += 1;
            report.revenue += amount;
            for line in &order.lines {
                let entry = products.entry(line.product_id.clone()).or_insert_with(|| ProductSales {
                    product_id: line.product_id.clone(),
                    name: names.get(&line.product_id).cloned().unwrap_or_else(|| line.name.clone()),
                    quantity: 0,
                    revenue: 0,
                });
                entry.quantity += u64::from(line.quantity);
                entry.revenue += line.amount;
            }
            if let (Some(placed), Some(completed)) = (order.placed_at, order.completed_at) {
                report.completed_orders += 1;
                completion_seconds.push((completed - placed).num_milliseconds() as f64 / 1000.0);
            }
        }
        report.products = products.into_values().collect();
        report.products.sort_by(|a, b| b.revenue.cmp(&a.revenue).then_with(|| a.name.cmp(&b.name)));
        if !completion_seconds.is_empty() {
            report.average_completion_seconds =
                Some(completion_seconds.iter().sum::<f64>() / completion_seconds.len() as f64);
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<DateTime<Utc>> {
        Some(text.parse().unwrap())
    }

    fn placed(id: &str, quantity: u32) -> OrderFacts {
        OrderFacts {
            order_id: id.into(),
            customer_id: Some("c".into()),
            amount: Some(4500 * u64::from(quantity)),
            lines: vec![OrderLine {
                product_id: "p1".into(),
                name: "Americano".into(),
                unit_price: 4500,
                quantity,
                amount: 4500 * u64::from(quantity),
            }],
            placed_at: at("2026-11-21T01:00:00Z"),
            ..OrderFacts::default()
        }
    }

    #[test]
    fn the_status_follows_the_strongest_fact() {
        let mut order = placed("o1", 1);
        assert_eq!(order.status(), "Placed");
        order.waiting_number = Some(1);
        assert_eq!(order.status(), "Waiting");
        order.completed_at = at("2026-11-21T01:05:00Z");
        assert_eq!(order.status(), "Completed");
        order.cancelled_at = at("2026-11-21T01:06:00Z");
        assert_eq!(order.status(), "Cancelled");
    }

    #[test]
    fn revenue_counts_orders_not_cancelled_and_products_by_quantity() {
        let mut completed = placed("o1", 2);
        completed.completed_at = at("2026-11-21T01:03:00Z");
        let mut cancelled = placed("o2", 1);
        cancelled.cancelled_at = at("2026-11-21T01:01:00Z");
        let waiting_only = OrderFacts { order_id: "o3".into(), waiting_number: Some(3), ..OrderFacts::default() };
        let names = BTreeMap::from([("p1".to_owned(), "Americano (L)".to_owned())]);
        let report = SalesReport::compute("2026-11-21", &[completed, cancelled, waiting_only], &names);
        assert_eq!((report.orders, report.revenue), (1, 9000));
        assert_eq!(report.cancelled, Cancellations { count: 1, amount: 4500 });
        assert_eq!(
            report.products,
            vec![ProductSales { product_id: "p1".into(), name: "Americano (L)".into(), quantity: 2, revenue: 9000 }]
        );
        assert_eq!(report.average_completion_seconds, Some(180.0));
    }
}
