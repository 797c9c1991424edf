//! The Ticket aggregate: one per order at the counter.
//!
//! Status: `Waiting` -> `Preparing` -> `Completed` (the barista may also complete a
//! waiting ticket directly); `Waiting` -> `Cancelled`. Nothing moves backwards and a
//! cancelled ticket stays cancelled.

use chrono::{DateTime, Utc};

/// Why a value or transition was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// Not a status name, or not one the barista may set.
    #[error("must be Preparing or Completed")]
    InvalidStatus,
    /// The ticket was cancelled.
    #[error("the ticket was cancelled")]
    Cancelled,
    /// The move would go backwards (e.g. Completed -> Preparing).
    #[error("a ticket cannot move back from {from} to {to}")]
    Backwards {
        /// Current status.
        from: &'static str,
        /// Requested status.
        to: &'static str,
    },
    /// The barista has started (or finished) it: too late to cancel.
    #[error("the barista has already started this ticket")]
    AlreadyStarted,
}

/// Where a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeliveryStatus {
    /// Issued, in the queue.
    Waiting,
    /// The barista is making it.
    Preparing,
    /// Handed over.
    Completed,
    /// Cancelled before it was started.
    Cancelled,
}

impl DeliveryStatus {
    /// The status name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "Waiting",
            Self::Preparing => "Preparing",
            Self::Completed => "Completed",
            Self::Cancelled => "Cancelled",
        }
    }

    /// Parses a status name.
    ///
    /// # Errors
    /// [`TicketError::InvalidStatus`] for an unknown name.
    pub fn parse(text: &str) -> Result<Self, TicketError> {
        match text {
            "Waiting" => Ok(Self::Waiting),
            "Preparing" => Ok(Self::Preparing),
            "Completed" => Ok(Self::Completed),
            "Cancelled" => Ok(Self::Cancelled),
            _ => Err(TicketError::InvalidStatus),
        }
    }
}

/// A ticket at the counter.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    /// The delivery id (UUID v7).
    pub id: String,
    /// The order it serves.
    pub order_id: String,
    /// Who ordered.
    pub customer_id: String,
    /// The day's waiting number, from 1.
    pub waiting_number: u32,
    /// The shop's local day the number belongs to, `YYYY-MM-DD`.
    pub business_day: String,
    /// Where it is.
    pub status: DeliveryStatus,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version: 1 when issued.
    pub version: u64,
}

impl Ticket {
    /// Issues a waiting ticket.
    pub fn issue(
        order_id: &str,
        customer_id: &str,
        waiting_number: u32,
        business_day: &str,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            order_id: order_id.to_owned(),
            customer_id: customer_id.to_owned(),
            waiting_number,
            business_day: business_day.to_owned(),
            status: DeliveryStatus::Waiting,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    fn moved(&self, to: DeliveryStatus, now: DateTime<Utc>) -> Self {
        Self { status: to, updated_at: now, version: self.version + 1, ..self.clone() }
    }

    /// The barista moves it to `Preparing` or `Completed`. `Ok(None)` when it is already
    /// there.
    ///
    /// # Errors
    /// [`TicketError::InvalidStatus`] for another target, [`TicketError::Cancelled`],
    /// [`TicketError::Backwards`].
    pub fn advance(&self, to: DeliveryStatus, now: DateTime<Utc>) -> Result<Option<Self>, TicketError> {
        if !matches!(to, DeliveryStatus::Preparing | DeliveryStatus::Completed) {
            return Err(TicketError::InvalidStatus);
        }
        match self.status {
            DeliveryStatus::Cancelled => Err(TicketError::Cancelled),
            current if current == to => Ok(None),
            current if current > to => Err(TicketError::Backwards { from: current.as_str(), to: to.as_str() }),
            _ => Ok(Some(self.moved(to, now))),
        }
    }

    /// Cancels a waiting ticket. `Ok(None)` when it is already cancelled.
    ///
    /// # Errors
    /// [`TicketError::AlreadyStarted`] once Preparing or Completed.
    pub fn cancel(&self, now: DateTime<Utc>) -> Result<Option<Self>, TicketError> {
        match self.status {
            DeliveryStatus::Waiting => Ok(Some(self.moved(DeliveryStatus::Cancelled, now))),
            DeliveryStatus::Cancelled => Ok(None),
            DeliveryStatus::Preparing | DeliveryStatus::Completed => Err(TicketError::AlreadyStarted),
        }
    }
}

/// The shop's local day at `now`, `YYYY-MM-DD`, in time zone `zone`.
pub fn business_day(now: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    now.with_timezone(&zone).date_naive().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> Ticket {
        Ticket::issue("o1", "c1", 1, "2026-11-21", Utc::now())
    }

    #[test]
    fn the_barista_moves_a_ticket_forward_only() {
        let preparing = ticket().advance(DeliveryStatus::Preparing, Utc::now()).unwrap().unwrap();
        assert_eq!(preparing.version, 2);
        assert!(preparing.advance(DeliveryStatus::Preparing, Utc::now()).unwrap().is_none());
        let completed = preparing.advance(DeliveryStatus::Completed, Utc::now()).unwrap().unwrap();
        assert!(matches!(completed.advance(DeliveryStatus::Preparing, Utc::now()), Err(TicketError::Backwards { .. })));
        assert_eq!(
            ticket().advance(DeliveryStatus::Completed, Utc::now()).unwrap().unwrap().status,
            DeliveryStatus::Completed
        );
        assert_eq!(ticket().advance(DeliveryStatus::Waiting, Utc::now()), Err(TicketError::InvalidStatus));
    }

    #[test]
    fn only_a_waiting_ticket_can_be_cancelled() {
        let cancelled = ticket().cancel(Utc::now()).unwrap().unwrap();
        assert!(cancelled.cancel(Utc::now()).unwrap().is_none());
        assert_eq!(cancelled.advance(DeliveryStatus::Preparing, Utc::now()), Err(TicketError::Cancelled));
        let preparing = ticket().advance(DeliveryStatus::Preparing, Utc::now()).unwrap().unwrap();
        assert_eq!(preparing.cancel(Utc::now()), Err(TicketError::AlreadyStarted));
    }

    #[test]
    fn the_business_day_is_the_shops_local_day() {
        let late_utc: DateTime<Utc> = "2026-11-21T16:30:00Z".parse().unwrap();
        assert_eq!(business_day(late_utc, chrono_tz::Asia::Seoul), "2026-11-22");
        assert_eq!(business_day(late_utc, chrono_tz::UTC), "2026-11-21");
    }
}
