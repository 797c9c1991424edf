//! The read-model rules of the report.
//!
//! Each order's view is a set of facts, each set by exactly one kind of event (placed,
//! waited, completed, cancelled) and by nothing else: setting a fact twice sets the same
//! value, and facts may arrive in any order. The status is derived from which facts are
//! known (cancelled > completed > waiting > placed), so a duplicate, reordered or late
//! event never corrupts the view, and a cancellation recorded after a completion takes the
//! order out of the revenue. A product's view changes only for a newer version.
//!
//! An order belongs to the shop's local day (time zone `SHOP_TIME_ZONE`) it was placed on.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use platform::Won;
use platform::zone::Zone;

platform::opaque_id!(
    /// An order id, as the order context issued it.
    OrderId
);
platform::opaque_id!(
    /// A customer id (the customer's token `sub`).
    CustomerId
);
platform::opaque_id!(
    /// A product id, as the product context issued it.
    ProductId
);

/// One line of a placed order: the product's name and unit price when it was ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The product.
    pub product_id: ProductId,
    /// Its name at order time.
    pub name: String,
    /// Unit price at order time.
    pub unit_price: Won,
    /// How many.
    pub quantity: u32,
    /// `unit_price * quantity`.
    pub amount: Won,
}

/// A product's status on the menu.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
)]
pub enum ProductStatus {
    /// Can be ordered.
    OnSale,
    /// On the menu, but cannot be ordered now.
    SoldOut,
}

/// The events the report reads, in its own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportEvent {
    /// An order was placed (`OrderPlaced`, from the order context).
    OrderPlaced {
        /// The order.
        order_id: OrderId,
        /// Who ordered.
        customer_id: CustomerId,
        /// What was ordered.
        lines: Vec<Line>,
        /// The total.
        amount: Won,
        /// When.
        placed_at: DateTime<Utc>,
    },
    /// The counter issued a waiting number (`OrderWaited`, from the delivery context).
    OrderWaited {
        /// The order.
        order_id: OrderId,
        /// The day's waiting number, from 1.
        waiting_number: u32,
    },
    /// The order was completed (`OrderCompleted`, from the order context).
    OrderCompleted {
        /// The order.
        order_id: OrderId,
        /// When (the event's time).
        at: DateTime<Utc>,
    },
    /// The order was cancelled (`OrderCancelled`, from the order context).
    OrderCancelled {
        /// The order.
        order_id: OrderId,
        /// When (the event's time).
        at: DateTime<Utc>,
    },
    /// A product was added to the menu (`ProductRegistered`, from the product context):
    /// its version 1.
    ProductRegistered {
        /// The product.
        product_id: ProductId,
        /// Its name.
        name: String,
        /// Its price.
        price: Won,
        /// Its status.
        status: ProductStatus,
    },
    /// A product changed (`ProductChanged`, from the product context): its whole new state.
    ProductChanged {
        /// The product.
        product_id: ProductId,
        /// Its name.
        name: String,
        /// Its price.
        price: Won,
        /// Its status.
        status: ProductStatus,
        /// The product's version after the change.
        version: u64,
    },
}

/// What one event sets in the read models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// A fact about one order.
    Order {
        /// The order.
        order_id: OrderId,
        /// The fact.
        fact: OrderFact,
    },
    /// A product's state at a version.
    Product(ProductFacts),
}

/// One fact about an order; each is set by one kind of event only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderFact {
    /// It was placed (OrderPlaced).
    Placed(Placement),
    /// It got a waiting number (OrderWaited).
    Waited {
        /// The day's waiting number.
        waiting_number: u32,
    },
    /// It was completed at this time (OrderCompleted).
    Completed {
        /// When.
        at: DateTime<Utc>,
    },
    /// It was cancelled at this time (OrderCancelled).
    Cancelled {
        /// When.
        at: DateTime<Utc>,
    },
}

/// What OrderPlaced tells: who, what, how much, when, and so on which shop day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Who ordered.
    pub customer_id: CustomerId,
    /// What was ordered.
    pub lines: Vec<Line>,
    /// The total.
    pub amount: Won,
    /// When it was placed.
    pub placed_at: DateTime<Utc>,
    /// The shop's local day it was placed on.
    pub day: NaiveDate,
}

/// A product's state at a version: the newest version seen wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductFacts {
    /// The product.
    pub product_id: ProductId,
    /// Its name.
    pub name: String,
    /// Its price.
    pub price: Won,
    /// Its status.
    pub status: ProductStatus,
    /// The product's version (1 when registered).
    pub version: u64,
}

impl ProductFacts {
    /// Whether this state replaces `stored`: only a newer version does, so a late or
    /// repeated change never moves a product back.
    pub fn supersedes(&self, stored: &Self) -> bool {
        self.version > stored.version
    }
}

impl ReportEvent {
    /// The fact this event sets, and only that; `zone` is the shop's time zone, which
    /// decides the day an order belongs to.
    pub fn fact(self, zone: &Zone) -> Fact {
        match self {
            Self::OrderPlaced { order_id, customer_id, lines, amount, placed_at } => {
                let day = zone.local_date(placed_at);
                Fact::Order {
                    order_id,
                    fact: OrderFact::Placed(Placement { customer_id, lines, amount, placed_at, day }),
                }
            }
            Self::OrderWaited { order_id, waiting_number } => {
                Fact::Order { order_id, fact: OrderFact::Waited { waiting_number } }
            }
            Self::OrderCompleted { order_id, at } => Fact::Order { order_id, fact: OrderFact::Completed { at } },
            Self::OrderCancelled { order_id, at } => Fact::Order { order_id, fact: OrderFact::Cancelled { at } },
            Self::ProductRegistered { product_id, name, price, status } => {
                Fact::Product(ProductFacts { product_id, name, price, status, version: 1 })
            }
            Self::ProductChanged { product_id, name, price, status, version } => {
                Fact::Product(ProductFacts { product_id, name, price, status, version })
            }
        }
    }
}

/// An order's status as the known facts tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, strum::IntoStaticStr, strum::Display)]
pub enum OrderStatus {
    /// Placed; no waiting number yet.
    Placed,
    /// The counter issued a waiting number.
    Waiting,
    /// Completed.
    Completed,
    /// Cancelled (whatever else is known).
    Cancelled,
}

/// What is known about one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFacts {
    /// The order.
    pub order_id: OrderId,
    /// From OrderPlaced.
    pub placement: Option<Placement>,
    /// From OrderWaited.
    pub waiting_number: Option<u32>,
    /// From OrderCompleted.
    pub completed_at: Option<DateTime<Utc>>,
    /// From OrderCancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl OrderFacts {
    /// An order nothing is known about yet.
    pub fn new(order_id: OrderId) -> Self {
        Self { order_id, placement: None, waiting_number: None, completed_at: None, cancelled_at: None }
    }

    /// The view with `fact` set; every other fact stays as it is.
    #[must_use]
    pub fn with(mut self, fact: OrderFact) -> Self {
        match fact {
            OrderFact::Placed(placement) => self.placement = Some(placement),
            OrderFact::Waited { waiting_number } => self.waiting_number = Some(waiting_number),
            OrderFact::Completed { at } => self.completed_at = Some(at),
            OrderFact::Cancelled { at } => self.cancelled_at = Some(at),
        }
        self
    }

    /// The status the known facts imply: the strongest one wins.
    pub fn status(&self) -> OrderStatus {
        if self.cancelled_at.is_some() {
            OrderStatus::Cancelled
        } else if self.completed_at.is_some() {
            OrderStatus::Completed
        } else if self.waiting_number.is_some() {
            OrderStatus::Waiting
        } else {
            OrderStatus::Placed
        }
    }
}

/// One product's line in the sales report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSales {
    /// The product.
    pub product_id: ProductId,
    /// Its current name (from the product events), else its name at order time.
    pub name: String,
    /// Units sold in orders not cancelled.
    pub quantity: u64,
    /// Their revenue.
    pub revenue: Won,
}

/// The cancelled orders of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cancellations {
    /// How many.
    pub count: u64,
    /// Their total.
    pub amount: Won,
}

/// The owner's sales report of one shop day.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesReport {
    /// The shop's local day.
    pub date: NaiveDate,
    /// Orders placed that day and not cancelled.
    pub orders: u64,
    /// Their total.
    pub revenue: Won,
    /// Orders placed that day and cancelled.
    pub cancelled: Cancellations,
    /// Per product, by revenue (highest first), then by name.
    pub products: Vec<ProductSales>,
    /// Orders completed and not cancelled.
    pub completed_orders: u64,
    /// Mean time from placed to completed over those, in seconds; `None` without any.
    pub average_completion_seconds: Option<f64>,
}

impl SalesReport {
    /// The report of `date` from the views of the orders placed that day; `names` are the
    /// current product names by id. Views without a placement are not counted.
    pub fn of(date: NaiveDate, orders: &[OrderFacts], names: &BTreeMap<ProductId, String>) -> Self {
        let mut report = Self {
            date,
            orders: 0,
            revenue: Won::ZERO,
            cancelled: Cancellations::default(),
            products: Vec::new(),
            completed_orders: 0,
            average_completion_seconds: None,
        };
        let mut products: BTreeMap<&ProductId, ProductSales> = BTreeMap::new();
        let mut completion_seconds = Vec::new();
        for order in orders {
            let Some(placement) = &order.placement else { continue };
            if order.cancelled_at.is_some() {
                report.cancelled.count += 1;
                report.cancelled.amount = report.cancelled.amount + placement.amount;
                continue;
            }
            report.orders += 1;
            report.revenue = report.revenue + placement.amount;
            for line in &placement.lines {
                let sales = products.entry(&line.product_id).or_insert_with(|| ProductSales {
                    product_id: line.product_id.clone(),
                    name: names.get(&line.product_id).unwrap_or(&line.name).clone(),
                    quantity: 0,
                    revenue: Won::ZERO,
                });
                sales.quantity += u64::from(line.quantity);
                sales.revenue = sales.revenue + line.amount;
            }
            if let Some(completed_at) = order.completed_at {
                report.completed_orders += 1;
                // Clocks of different functions may disagree by a little; a completion
                // never takes negative time.
                let milliseconds = (completed_at - placement.placed_at).num_milliseconds().max(0);
                completion_seconds.push(milliseconds as f64 / 1000.0);
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

/// The owner's list of one shop day's orders with their current status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrdersReport {
    /// The shop's local day.
    pub date: NaiveDate,
    /// The placed orders of the day, in the order they were placed.
    pub orders: Vec<OrderFacts>,
}

impl OrdersReport {
    /// The list of `date` from the views of the orders placed that day; views without a
    /// placement are left out.
    pub fn of(date: NaiveDate, orders: Vec<OrderFacts>) -> Self {
        let mut orders: Vec<OrderFacts> = orders.into_iter().filter(|o| o.placement.is_some()).collect();
        orders.sort_by_cached_key(|o| (o.placement.as_ref().map(|p| p.placed_at), o.order_id.clone()));
        Self { date, orders }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seoul() -> Zone {
        Zone::named("Asia/Seoul").unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn id(text: &str) -> OrderId {
        OrderId::parse(text).unwrap()
    }

    fn americano(quantity: u32) -> Line {
        Line {
            product_id: ProductId::parse("p1").unwrap(),
            name: "Americano".into(),
            unit_price: Won::new(4500),
            quantity,
            amount: Won::new(4500) * quantity,
        }
    }

    fn placed(order: &str, quantity: u32, placed_at: &str) -> ReportEvent {
        ReportEvent::OrderPlaced {
            order_id: id(order),
            customer_id: CustomerId::parse("auth0|minji").unwrap(),
            lines: vec![americano(quantity)],
            amount: Won::new(4500) * quantity,
            placed_at: at(placed_at),
        }
    }

    fn view(order: &str, events: Vec<ReportEvent>) -> OrderFacts {
        events.into_iter().fold(OrderFacts::new(id(order)), |view, event| match event.fact(&seoul()) {
            Fact::Order { fact, .. } => view.with(fact),
            Fact::Product(_) => view,
        })
    }

    #[test]
    fn an_order_belongs_to_the_shops_local_day() {
        let Fact::Order { fact: OrderFact::Placed(placement), .. } =
            placed("o1", 1, "2026-11-21T15:30:00Z").fact(&seoul())
        else {
            panic!("OrderPlaced sets the placement");
        };
        assert_eq!(placement.day, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(), "00:30 in Seoul");
        assert_eq!(placement.amount, Won::new(4500));
    }

    #[test]
    fn each_event_sets_only_its_own_fact() {
        let order = id("o1");
        let cancelled = ReportEvent::OrderCancelled { order_id: order.clone(), at: at("2026-11-21T01:06:00Z") };
        assert_eq!(
            cancelled.fact(&seoul()),
            Fact::Order { order_id: order.clone(), fact: OrderFact::Cancelled { at: at("2026-11-21T01:06:00Z") } }
        );
        let waited = view("o1", vec![ReportEvent::OrderWaited { order_id: order.clone(), waiting_number: 4 }]);
        assert_eq!(waited, OrderFacts { waiting_number: Some(4), ..OrderFacts::new(order) });
    }

    #[test]
    fn the_status_follows_the_strongest_fact_in_any_order() {
        let o = id("o1");
        let events = vec![
            placed("o1", 1, "2026-11-21T01:00:00Z"),
            ReportEvent::OrderWaited { order_id: o.clone(), waiting_number: 1 },
            ReportEvent::OrderCompleted { order_id: o.clone(), at: at("2026-11-21T01:05:00Z") },
            ReportEvent::OrderCancelled { order_id: o.clone(), at: at("2026-11-21T01:06:00Z") },
        ];
        let statuses: Vec<OrderStatus> =
            (1..=events.len()).map(|n| view("o1", events[..n].to_vec()).status()).collect();
        assert_eq!(
            statuses,
            [OrderStatus::Placed, OrderStatus::Waiting, OrderStatus::Completed, OrderStatus::Cancelled]
        );

        let forward = view("o1", events.clone());
        let mut backward_twice: Vec<ReportEvent> = events.iter().rev().cloned().collect();
        backward_twice.extend(events);
        assert_eq!(view("o1", backward_twice), forward);
    }

    #[test]
    fn only_a_newer_product_version_supersedes() {
        let product = |version| ProductFacts {
            product_id: ProductId::parse("p1").unwrap(),
            name: "Americano".into(),
            price: Won::new(4500),
            status: ProductStatus::OnSale,
            version,
        };
        assert!(product(3).supersedes(&product(2)));
        assert!(!product(2).supersedes(&product(3)));
        assert!(!product(2).supersedes(&product(2)));
    }

    #[test]
    fn revenue_counts_orders_not_cancelled_and_products_by_quantity() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let completed = view(
            "o1",
            vec![
                placed("o1", 2, "2026-11-21T01:00:00Z"),
                ReportEvent::OrderCompleted { order_id: id("o1"), at: at("2026-11-21T01:03:00Z") },
            ],
        );
        let cancelled = view(
            "o2",
            vec![
                placed("o2", 1, "2026-11-21T01:00:00Z"),
                ReportEvent::OrderCancelled { order_id: id("o2"), at: at("2026-11-21T01:01:00Z") },
            ],
        );
        let waiting_only = view("o3", vec![ReportEvent::OrderWaited { order_id: id("o3"), waiting_number: 3 }]);
        let names = BTreeMap::from([(ProductId::parse("p1").unwrap(), "Americano (L)".to_owned())]);
        let report = SalesReport::of(date, &[completed, cancelled, waiting_only], &names);
        assert_eq!((report.orders, report.revenue), (1, Won::new(9000)));
        assert_eq!(report.cancelled, Cancellations { count: 1, amount: Won::new(4500) });
        assert_eq!(
            report.products,
            [ProductSales {
                product_id: ProductId::parse("p1").unwrap(),
                name: "Americano (L)".into(),
                quantity: 2,
                revenue: Won::new(9000)
            }]
        );
        assert_eq!(report.completed_orders, 1);
        assert_eq!(report.average_completion_seconds, Some(180.0));
    }

    #[test]
    fn a_day_without_orders_reports_zeros_and_no_average() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let report = SalesReport::of(date, &[], &BTreeMap::new());
        assert_eq!((report.orders, report.revenue, report.completed_orders), (0, Won::ZERO, 0));
        assert_eq!(report.average_completion_seconds, None);
        assert!(report.products.is_empty());
    }

    #[test]
    fn the_orders_report_lists_placed_orders_by_placement_time() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let late = view("a-late", vec![placed("a-late", 1, "2026-11-21T02:00:00Z")]);
        let early = view("z-early", vec![placed("z-early", 1, "2026-11-21T01:00:00Z")]);
        let unplaced = view("m", vec![ReportEvent::OrderWaited { order_id: id("m"), waiting_number: 1 }]);
        let report = OrdersReport::of(date, vec![late, unplaced, early]);
        let ids: Vec<&str> = report.orders.iter().map(|o| o.order_id.as_str()).collect();
        assert_eq!(ids, ["z-early", "a-late"]);
    }
}
