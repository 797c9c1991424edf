//! The my page's use cases: [`apply`] an event's fact to its customer's page once, and
//! [`view`] one page of it.

use aws_sdk_dynamodb::types::AttributeValue;
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Cursor, InvalidCursor, PageError, PageLimits, PageRequest};
use platform::retry::{Conflict, on_conflict};

use crate::domain::{Fact, MyPage, Position, Slice};
use crate::ports::MyPages;

/// Why a fact was not applied; the event is retried.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Concurrent writers kept winning.
    #[error("the page kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for ApplyError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for ApplyError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Applies `fact` (from event `cause`) to the page of `customer`, once.
///
/// # Errors
/// [`ApplyError`].
pub async fn apply(
    pages: &impl MyPages,
    customer: &str,
    fact: &Fact,
    cause: &EventEnvelope,
) -> Result<Applied, ApplyError> {
    on_conflict(|| async {
        let page = pages.find(customer).await?;
        let next = page.apply(fact);
        Ok::<_, ApplyError>(pages.save_once(cause, customer, next.as_ref(), page.version).await?)
    })
    .await
}

/// Page size of `GET /mypage`: without `limit`, 50 reservations and 50 promotions; at most
/// 100 of each.
pub const MYPAGE_LIMIT: PageLimits = PageLimits::new(50, 100);

/// The cursor's attributes: the list's partition, and the last key read of each list, `#`
/// then the key (`#` alone: none read yet), so that no value is empty.
const LIST: &str = "pk";
const RESERVATIONS: &str = "reservations";
const PROMOTIONS: &str = "promotions";

fn list_of(customer: &str) -> String {
    format!("MYPAGE#{customer}")
}

/// The cursor of `position` in the page of `customer`.
///
/// # Errors
/// Never in practice (every attribute is a string).
pub fn cursor_of(customer: &str, position: &Position) -> anyhow::Result<Cursor> {
    let after = |key: &Option<String>| AttributeValue::S(format!("#{}", key.as_deref().unwrap_or_default()));
    Cursor::of_key(
        [
            (LIST.to_owned(), AttributeValue::S(list_of(customer))),
            (RESERVATIONS.to_owned(), after(&position.reservations)),
            (PROMOTIONS.to_owned(), after(&position.promotions)),
        ]
        .into_iter()
        .collect(),
    )
}

/// The position `cursor` holds in the page of `customer`.
///
/// # Errors
/// [`InvalidCursor`] when it is of another shape, or of another customer's page.
pub fn position_of(customer: &str, cursor: &Cursor) -> Result<Position, InvalidCursor> {
    let key =
        cursor.start_key(&[LIST, RESERVATIONS, PROMOTIONS], &[RESERVATIONS, PROMOTIONS], (LIST, &list_of(customer)))?;
    // `start_key` checked that every attribute is there and a non-empty string.
    let after = |name: &str| {
        let value = key.get(name).and_then(|v| v.as_s().ok()).map_or("#", String::as_str);
        let value = value.strip_prefix('#').unwrap_or(value);
        (!value.is_empty()).then(|| value.to_owned())
    };
    Ok(Position { reservations: after(RESERVATIONS), promotions: after(PROMOTIONS) })
}

/// One page of the my page of `customer`: the slice `page` asks for and the whole page (its
/// `pointBalance` counts every promotion, not only the slice's).
///
/// # Errors
/// [`PageError::InvalidCursor`] for a cursor of another shape or customer;
/// [`PageError::Storage`] when storage fails.
pub async fn view(pages: &impl MyPages, customer: &str, page: &PageRequest) -> Result<(MyPage, Slice), PageError> {
    let from = page.cursor().map(|cursor| position_of(customer, cursor)).transpose()?;
    let whole = pages.find(customer).await?;
    let slice = whole.slice(&from.unwrap_or_default(), usize::try_from(page.limit()).unwrap_or(usize::MAX));
    Ok((whole, slice))
}
