//! The delivery context's business metrics (EMF through [`platform::metrics`]; dimension
//! `Service` = `delivery`), each recorded once per committed effect.

/// Deliveries shipped (count).
pub const DELIVERIES_SHIPPED: &str = "DeliveriesShipped";
/// Deliveries cancelled before shipping (count), tombstones included.
pub const DELIVERIES_CANCELLED: &str = "DeliveriesCancelled";
/// Returns collected (count).
pub const RETURNS_COLLECTED: &str = "ReturnsCollected";
