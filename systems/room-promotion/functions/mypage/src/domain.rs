//! The my page read model (마이페이지, the original's `RoomInfo`): per customer, their
//! reservations, their promotions and `pointBalance`, built only from events. Plain Rust:
//! no I/O.
//!
//! Events may arrive twice or in any order: each [`Fact`] moves a line only forward
//! (`Reserved` < `Paid` < `Confirmed` < `Cancelled`; `Granted` < `Revoked`) and fills what it
//! knows, so the page ends the same whatever the order. `pointBalance` is the sum of the
//! points of `Granted` promotions.

use std::collections::BTreeMap;
use std::ops::Bound;

use platform::Won;
use serde::{Deserialize, Serialize};

/// A reservation's status as the page shows it; later variants win.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, strum::Display)]
pub enum LineStatus {
    /// Placed.
    Reserved,
    /// Payment approved.
    Paid,
    /// Promotion recorded.
    Confirmed,
    /// Cancelled.
    Cancelled,
}

/// A promotion's status as the page shows it; later variants win.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, strum::Display)]
pub enum GrantStatus {
    /// Granted: its points count.
    Granted,
    /// Taken back.
    Revoked,
}

/// One reservation on the page. Fields an event has not told yet are `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReservationLine {
    /// Reservation id.
    pub reservation_id: String,
    /// Room id.
    pub room_id: Option<String>,
    /// Room name.
    pub room_name: Option<String>,
    /// First night, `YYYY-MM-DD`.
    pub check_in: Option<String>,
    /// Nights.
    pub nights: Option<u32>,
    /// Amount in won.
    #[schema(value_type = Option<u64>)]
    pub amount: Option<Won>,
    /// `Reserved`, `Paid`, `Confirmed` or `Cancelled`.
    #[schema(value_type = String)]
    pub status: LineStatus,
    /// Its payment, once approved.
    pub payment_id: Option<String>,
    /// Whether its payment was refunded.
    pub refunded: bool,
}

/// One promotion on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromotionLine {
    /// Promotion id.
    pub promotion_id: String,
    /// Its payment.
    pub payment_id: String,
    /// Its reservation.
    pub reservation_id: String,
    /// `DISCOUNT COUPON`, `BEVERAGE` or `null`.
    pub service: Option<String>,
    /// Mileage points.
    pub points: u64,
    /// `Granted` or `Revoked`.
    #[schema(value_type = String)]
    pub status: GrantStatus,
}

/// What an event tells the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// `ReservationPlaced`.
    Placed {
        /// Reservation id.
        reservation_id: String,
        /// Room id.
        room_id: String,
        /// Room name.
        room_name: String,
        /// First night.
        check_in: String,
        /// Nights.
        nights: u32,
        /// Amount.
        amount: Won,
    },
    /// `PaymentApproved`.
    Paid {
        /// Reservation id.
        reservation_id: String,
        /// Payment id.
        payment_id: String,
    },
    /// `PaymentCancelled`.
    Refunded {
        /// Reservation id.
        reservation_id: String,
    },
    /// `ReservationCancelled`.
    Cancelled {
        /// Reservation id.
        reservation_id: String,
    },
    /// `PromotionGranted` (`Granted`) or `PromotionRevoked` (`Revoked`).
    Promotion(PromotionLine),
}

/// A customer's page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MyPage {
    /// Reservations by id.
    pub reservations: BTreeMap<String, ReservationLine>,
    /// Promotions by payment id.
    pub promotions: BTreeMap<String, PromotionLine>,
    /// Optimistic-concurrency version of the stored page (0: none stored yet).
    #[serde(default)]
    pub version: u64,
}

/// Where a slice of a page starts in each of its two lists: after the key given (a
/// reservation id; a payment id), or at the first line when `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    /// The last reservation id already read.
    pub reservations: Option<String>,
    /// The payment id of the last promotion already read.
    pub promotions: Option<String>,
}

/// A slice of a page: up to `limit` lines of each list, in key order, and where the next
/// slice starts when either list has more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    /// Reservations, by id.
    pub reservations: Vec<ReservationLine>,
    /// Promotions, by payment id.
    pub promotions: Vec<PromotionLine>,
    /// Where the next slice starts; `None` when both lists are read to their end.
    pub next: Option<Position>,
}

/// The lines of `map` after `after`: at most `limit` of them, their last key, and whether
/// more follow.
fn lines_after<T: Clone>(
    map: &BTreeMap<String, T>,
    after: Option<&str>,
    limit: usize,
) -> (Vec<T>, Option<String>, bool) {
    let start = after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut rest = map.range::<str, _>((start, Bound::Unbounded));
    let taken: Vec<(&String, &T)> = rest.by_ref().take(limit).collect();
    let more = rest.next().is_some();
    let last = taken.last().map(|(k, _)| (*k).clone()).or_else(|| after.map(str::to_owned));
    (taken.into_iter().map(|(_, v)| v.clone()).collect(), last, more)
}

fn line<'a>(page: &'a mut MyPage, id: &str) -> &'a mut ReservationLine {
    page.reservations.entry(id.to_owned()).or_insert_with(|| ReservationLine {
        reservation_id: id.to_owned(),
        room_id: None,
        room_name: None,
        check_in: None,
        nights: None,
        amount: None,
        status: LineStatus::Reserved,
        payment_id: None,
        refunded: false,
    })
}

impl MyPage {
    /// The sum of the points of `Granted` promotions.
    pub fn point_balance(&self) -> u64 {
        self.promotions.values().filter(|p| p.status == GrantStatus::Granted).map(|p| p.points).sum()
    }

    /// Up to `limit` (at least 1) reservations and up to `limit` promotions after `from`,
    /// each list in key order; `next` is where the following slice starts, `None` when both
    /// lists end within this one. A line added after the position between two slices shows
    /// on a later slice (ids are UUID v7, so new lines sort last).
    pub fn slice(&self, from: &Position, limit: usize) -> Slice {
        let limit = limit.max(1);
        let (reservations, after_reservation, more_reservations) =
            lines_after(&self.reservations, from.reservations.as_deref(), limit);
        let (promotions, after_promotion, more_promotions) =
            lines_after(&self.promotions, from.promotions.as_deref(), limit);
        let next = (more_reservations || more_promotions)
            .then_some(Position { reservations: after_reservation, promotions: after_promotion });
        Slice { reservations, promotions, next }
    }

    /// The page after `fact`; `None` when it changes nothing.
    pub fn apply(&self, fact: &Fact) -> Option<Self> {
        let mut next = self.clone();
        match fact {
            Fact::Placed { reservation_id, room_id, room_name, check_in, nights, amount } => {
                let l = line(&mut next, reservation_id);
                l.room_id = Some(room_id.clone());
                l.room_name = Some(room_name.clone());
                l.check_in = Some(check_in.clone());
                l.nights = Some(*nights);
                l.amount = Some(*amount);
            }
            Fact::Paid { reservation_id, payment_id } => {
                let l = line(&mut next, reservation_id);
                l.payment_id = Some(payment_id.clone());
                l.status = l.status.max(LineStatus::Paid);
            }
            Fact::Refunded { reservation_id } => line(&mut next, reservation_id).refunded = true,
            Fact::Cancelled { reservation_id } => line(&mut next, reservation_id).status = LineStatus::Cancelled,
            Fact::Promotion(promotion) => {
                if promotion.status == GrantStatus::Granted {
                    let l = line(&mut next, &promotion.reservation_id);
                    l.status = l.status.max(LineStatus::Confirmed);
                }
                let entry = next.promotions.entry(promotion.payment_id.clone()).or_insert_with(|| promotion.clone());
                entry.status = entry.status.max(promotion.status);
            }
        }
        (next != *self).then(|| Self { version: self.version + 1, ..next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(id: &str, amount: u64) -> Fact {
        Fact::Placed {
            reservation_id: id.into(),
            room_id: "room-1".into(),
            room_name: "Standard 101".into(),
            check_in: "2026-11-29".into(),
            nights: 2,
            amount: Won::new(amount),
        }
    }

    fn promotion(id: &str, points: u64, status: GrantStatus) -> Fact {
        Fact::Promotion(PromotionLine {
            promotion_id: format!("pr-{id}"),
            payment_id: format!("p-{id}"),
            reservation_id: id.into(),
            service: None,
            points,
            status,
        })
    }

    fn run(facts: &[Fact]) -> MyPage {
        facts.iter().fold(MyPage::default(), |page, fact| page.apply(fact).unwrap_or(page))
    }

    #[test]
    fn the_balance_is_the_sum_of_granted_points_and_a_revoked_promotion_leaves_it() {
        let page = run(&[
            placed("r1", 100_000),
            promotion("r1", 10_000, GrantStatus::Granted),
            promotion("r2", 5_000, GrantStatus::Granted),
            promotion("r3", 4_500, GrantStatus::Granted),
        ]);
        assert_eq!(page.point_balance(), 19_500);
        assert_eq!(page.reservations["r1"].status, LineStatus::Confirmed);
        let page = page.apply(&promotion("r1", 10_000, GrantStatus::Revoked)).unwrap();
        assert_eq!(page.point_balance(), 9_500);
    }

    #[test]
    fn slices_read_every_line_of_both_lists_exactly_once() {
        let mut facts: Vec<Fact> = (0..5).map(|n| placed(&format!("r{n}"), 50_000)).collect();
        facts.extend((0..2).map(|n| promotion(&format!("r{n}"), 5_000, GrantStatus::Granted)));
        let page = run(&facts);
        let mut from = Position::default();
        let (mut reservations, mut promotions, mut slices) = (Vec::new(), Vec::new(), 0);
        loop {
            let slice = page.slice(&from, 2);
            assert!(slice.reservations.len() <= 2 && slice.promotions.len() <= 2);
            reservations.extend(slice.reservations.into_iter().map(|l| l.reservation_id));
            promotions.extend(slice.promotions.into_iter().map(|l| l.payment_id));
            slices += 1;
            match slice.next {
                Some(next) => from = next,
                None => break,
            }
        }
        assert_eq!(slices, 3, "5 reservations by 2: the third slice is the last");
        assert_eq!(reservations, ["r0", "r1", "r2", "r3", "r4"]);
        assert_eq!(promotions, ["p-r0", "p-r1"]);
        let exact = page.slice(&Position::default(), 5);
        assert_eq!((exact.reservations.len(), exact.next), (5, None), "an exactly full last slice has no next");
        let empty = MyPage::default().slice(&Position::default(), 50);
        assert_eq!((empty.reservations.len(), empty.promotions.len(), empty.next), (0, 0, None));
    }

    #[test]
    fn any_order_of_the_same_events_gives_the_same_page_and_repeats_change_nothing() {
        let paid = Fact::Paid { reservation_id: "r1".into(), payment_id: "p-r1".into() };
        let facts = [
            placed("r1", 100_000),
            paid.clone(),
            promotion("r1", 10_000, GrantStatus::Granted),
            Fact::Cancelled { reservation_id: "r1".into() },
            Fact::Refunded { reservation_id: "r1".into() },
            promotion("r1", 10_000, GrantStatus::Revoked),
        ];
        let forward = run(&facts);
        let mut reversed = facts.clone();
        reversed.reverse();
        let backward = run(&reversed);
        assert_eq!(forward.reservations, backward.reservations);
        assert_eq!(forward.promotions, backward.promotions);
        assert_eq!(forward.reservations["r1"].status, LineStatus::Cancelled);
        assert!(forward.reservations["r1"].refunded);
        assert_eq!(forward.point_balance(), 0);
        assert_eq!(forward.apply(&paid), None, "a repeat changes nothing");
    }
}
