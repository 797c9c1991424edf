//! Cancelling a ticket, shared by the synchronous target the order context invokes
//! (`CancelTicketFunction`) and the consumer of `OrderCancelled`.

use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::Utc;
use contracts::ticket_cancel::{CancelTicketRequest, CancelTicketResponse, CancelTicketResult};

use crate::domain::TicketError;
use crate::store::{DynamoTickets, Guard, SaveError};

/// Attempts when a concurrent write wins.
const ATTEMPTS: usize = 5;

/// The answer to cancelling the ticket of `order_id`, and the writes that make it true
/// (empty when nothing needs to change).
///
/// # Errors
/// When storage fails.
pub async fn cancel_plan(
    tickets: &DynamoTickets,
    order_id: &str,
) -> anyhow::Result<(CancelTicketResult, Vec<TransactWriteItem>)> {
    match tickets.find_guard(order_id).await? {
        // No ticket yet: record the cancellation so a late OrderPlaced issues none.
        None => Ok((CancelTicketResult::Cancelled, tickets.cancel_before_issue_items(order_id)?)),
        Some(Guard::CancelledBeforeIssue) => Ok((CancelTicketResult::Cancelled, Vec::new())),
        Some(Guard::Ticket(id)) => {
            let ticket = tickets
                .find(&id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("ticket {id} of order {order_id} is missing"))?;
            match ticket.cancel(Utc::now()) {
                Ok(Some(cancelled)) => {
                    Ok((CancelTicketResult::Cancelled, tickets.save_items(&cancelled, ticket.version, &[])?))
                }
                Ok(None) => Ok((CancelTicketResult::Cancelled, Vec::new())),
                Err(TicketError::AlreadyStarted) => Ok((CancelTicketResult::AlreadyStarted, Vec::new())),
                Err(other) => Err(other.into()),
            }
        }
    }
}

/// The synchronous target: cancels the ticket of the requested order if the barista has
/// not started it.
///
/// # Errors
/// When storage keeps failing (the caller answers 503).
#[tracing::instrument(skip_all, fields(correlation_id = %request.order_id))]
pub async fn cancel_ticket(
    tickets: &DynamoTickets,
    request: CancelTicketRequest,
) -> anyhow::Result<CancelTicketResponse> {
    for _ in 0..ATTEMPTS {
        let (result, writes) = cancel_plan(tickets, &request.order_id).await?;
        if writes.is_empty() {
            return Ok(CancelTicketResponse { result });
        }
        match tickets.write(writes).await {
            Ok(()) => {
                tracing::info!(?result, "ticket cancel answered");
                return Ok(CancelTicketResponse { result });
            }
            Err(SaveError::Conflict) => tracing::info!("the ticket changed meanwhile; reading again"),
            Err(SaveError::Storage(err)) => return Err(err),
        }
    }
    anyhow::bail!("the ticket of order {} kept changing", request.order_id)
}
