//! Pagination of list routes: one convention for every system.
//!
//! A list route takes two optional query parameters:
//! - `limit`: how many items one page holds at most, an integer from 1 to the route's
//!   maximum; without it, the route's default ([`PageLimits`]). Anything else (`0`, `abc`,
//!   `+5`, above the maximum, given twice) is a 400 naming `limit`.
//! - `nextToken`: the opaque cursor a previous page answered; without it, the first page.
//!   A token that is not one this API produced, or that belongs to another list (another
//!   member's items, another state's queue), is a 400 naming `nextToken`.
//!
//! The response keeps its collection key and adds `"nextToken"`: a string when more items
//! follow (pass it back as `nextToken`, with the same other parameters), `null` on the last
//! page. The query peeks one item beyond the page, so a page that is exactly full and last
//! answers `null`, not a token to an empty page. A page may hold fewer than `limit` items
//! and still carry a token when DynamoDB stopped at its 1 MB page size; and if items leave
//! the list between two requests, the page after the last one left may be empty.
//!
//! The token is base64url (no padding) of the JSON object of the DynamoDB key at which the
//! page ended (`{"gsi1pk": …, "gsi1sk": …, "pk": …, "sk": …}`, strings). It is not signed:
//! a caller may craft one, but [`crate::dynamo::Table::query_page`] accepts only a key with
//! exactly the attributes of the query's index, each a non-empty string within DynamoDB's
//! key sizes, and whose partition is the partition being read; so a token can only move
//! the starting point within the list the caller is already allowed to read.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lambda_http::{Request, RequestExt};

use crate::dynamo::Item;
use crate::http::ApiError;

/// Name of the page size query parameter.
pub const LIMIT_PARAMETER: &str = "limit";
/// Name of the cursor query parameter, and of the response's cursor field.
pub const TOKEN_PARAMETER: &str = "nextToken";
/// Longest `nextToken` accepted, in characters (a real one is well under 1 000).
pub const MAX_TOKEN_CHARS: usize = 4096;
/// Largest maximum a route may declare: a page is one DynamoDB query.
pub const MAX_PAGE_LIMIT: u32 = 1000;
/// Longest partition key value DynamoDB stores, in bytes.
const MAX_PARTITION_BYTES: usize = 2048;
/// Longest sort key value DynamoDB stores, in bytes.
const MAX_SORT_BYTES: usize = 1024;

/// A route's page size: the default when `limit` is absent and the largest `limit` accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimits {
    /// Items per page without `limit`.
    pub default: u32,
    /// The largest `limit` accepted.
    pub max: u32,
}

impl PageLimits {
    /// Limits with `default` and `max`.
    ///
    /// # Panics
    /// Unless `1 <= default <= max <= MAX_PAGE_LIMIT`; in a `const` this fails the build.
    pub const fn new(default: u32, max: u32) -> Self {
        assert!(default >= 1 && default <= max && max <= MAX_PAGE_LIMIT, "1 <= default <= max <= 1000");
        Self { default, max }
    }
}

/// Why a `nextToken` was refused (shown to the client as the detail of `nextToken`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidCursor(String);

impl InvalidCursor {
    fn new(detail: impl Into<String>) -> Self {
        Self(detail.into())
    }
}

impl From<InvalidCursor> for ApiError {
    fn from(err: InvalidCursor) -> Self {
        ApiError::field(TOKEN_PARAMETER, err.0)
    }
}

/// The position after which the next page starts: a DynamoDB key, opaque to callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(BTreeMap<String, String>);

impl Cursor {
    /// The cursor of a DynamoDB key (`LastEvaluatedKey`, or the key attributes of the last
    /// item of a page).
    ///
    /// # Errors
    /// When an attribute of `key` is not a string (every key of the platform's tables is).
    pub fn of_key(key: Item) -> anyhow::Result<Self> {
        Ok(Self(serde_dynamo::from_item(key).map_err(|err| anyhow::anyhow!("a page's last key: {err}"))?))
    }

    /// The token a client passes back: base64url, no padding, of the key as JSON.
    pub fn token(&self) -> String {
        // A map of strings always serializes.
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&self.0).unwrap_or_default())
    }

    /// The cursor of a client's `token`, checked for form only (see [`Cursor::start_key`]).
    ///
    /// # Errors
    /// [`InvalidCursor`] when it is too long, not base64url without padding, or not a JSON
    /// object of 1 to 8 string attributes.
    pub fn parse(token: &str) -> Result<Self, InvalidCursor> {
        let refused = || InvalidCursor::new("is not a token from a previous page of this list");
        if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
            return Err(refused());
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| refused())?;
        let key: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| refused())?;
        if key.is_empty() || key.len() > 8 {
            return Err(refused());
        }
        Ok(Self(key))
    }

    /// The `ExclusiveStartKey` of a query that reads the partition `partition.1` of the
    /// attribute `partition.0`, whose keys are exactly `attributes` (the table's and the
    /// index's); `sort_attributes` are the sort keys among them (at most 1 024 bytes each,
    /// the others at most 2 048).
    ///
    /// # Errors
    /// [`InvalidCursor`] when the key has other attributes, an empty or oversized value, or
    /// another partition: DynamoDB would refuse it, or it would read another list.
    pub fn start_key(
        &self,
        attributes: &[&str],
        sort_attributes: &[&str],
        partition: (&str, &str),
    ) -> Result<Item, InvalidCursor> {
        let same_attributes = self.0.len() == attributes.len() && attributes.iter().all(|a| self.0.contains_key(*a));
        if !same_attributes {
            return Err(InvalidCursor::new("is not a token from a previous page of this list"));
        }
        for (name, value) in &self.0 {
            let max = if sort_attributes.contains(&name.as_str()) { MAX_SORT_BYTES } else { MAX_PARTITION_BYTES };
            if value.is_empty() || value.len() > max {
                return Err(InvalidCursor::new("is not a token from a previous page of this list"));
            }
        }
        if self.0.get(partition.0).map(String::as_str) != Some(partition.1) {
            return Err(InvalidCursor::new("belongs to another list; start again without nextToken"));
        }
        serde_dynamo::to_item(&self.0)
            .map_err(|_| InvalidCursor::new("is not a token from a previous page of this list"))
    }
}

/// What page a client asks for: its size and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    limit: u32,
    after: Option<Cursor>,
}

impl PageRequest {
    /// The first page, of `limit` items at most (at least 1).
    pub fn first(limit: u32) -> Self {
        Self { limit: limit.max(1), after: None }
    }

    /// The page of `limit` items (at least 1) after `cursor`.
    pub fn after(limit: u32, cursor: Cursor) -> Self {
        Self { limit: limit.max(1), after: Some(cursor) }
    }

    /// The page the query parameters `limit` and `nextToken` of `request` ask for, within
    /// `limits`.
    ///
    /// # Errors
    /// 400 naming `limit` when it is given more than once or is not an integer from 1 to
    /// `limits.max` (digits only); 400 naming `nextToken` when it is given more than once or
    /// is malformed ([`Cursor::parse`]). Both are named when both are bad.
    pub fn from_request(request: &Request, limits: PageLimits) -> Result<Self, ApiError> {
        let query = request.query_string_parameters_ref();
        let values = |name: &str| query.and_then(|q| q.all(name)).unwrap_or_default();
        Self::from_values(&values(LIMIT_PARAMETER), &values(TOKEN_PARAMETER), limits)
    }

    /// As [`PageRequest::from_request`], from the values given for each parameter.
    ///
    /// # Errors
    /// See [`PageRequest::from_request`].
    pub fn from_values(limit: &[&str], token: &[&str], limits: PageLimits) -> Result<Self, ApiError> {
        let mut validation = crate::http::Validation::new();
        let limit = match limit {
            [] => Some(limits.default),
            [text] => {
                let value = text
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| text.parse::<u64>().ok())
                    .flatten()
                    .filter(|n| (1..=u64::from(limits.max)).contains(n));
                if value.is_none() {
                    validation.reject(LIMIT_PARAMETER, &format!("must be an integer from 1 to {}", limits.max));
                }
                value.and_then(|n| u32::try_from(n).ok())
            }
            _ => {
                validation.reject(LIMIT_PARAMETER, "must be given once");
                None
            }
        };
        let after = match token {
            [] => None,
            [text] => validation.check(TOKEN_PARAMETER, Cursor::parse(text)),
            _ => {
                validation.reject(TOKEN_PARAMETER, "must be given once");
                None
            }
        };
        validation.finish()?;
        Ok(Self { limit: limit.unwrap_or(limits.default), after })
    }

    /// The most items the page holds.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Where it starts: `None` for the first page.
    pub fn cursor(&self) -> Option<&Cursor> {
        self.after.as_ref()
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in the list's order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// A page of `items` followed by the page at `next`, if any.
    pub fn new(items: Vec<T>, next: Option<Cursor>) -> Self {
        Self { items, next }
    }

    /// The page `page` asks for of the whole list `all`, held in memory and named `list`
    /// (its cursors hold `list` and an offset, and refuse another list's): for in-memory
    /// adapters such as the fakes of tests, with the same rules as a DynamoDB page.
    ///
    /// # Errors
    /// [`PageError::InvalidCursor`] for a cursor of another list or shape.
    pub fn of_list(all: Vec<T>, list: &str, page: &PageRequest) -> Result<Self, PageError> {
        let start = match page.cursor() {
            None => 0,
            Some(cursor) => {
                let key: BTreeMap<String, String> =
                    serde_dynamo::from_item(cursor.start_key(&["pk", "sk"], &["sk"], ("pk", list))?)
                        .map_err(|err| anyhow::anyhow!("an in-memory cursor: {err}"))?;
                key.get("sk")
                    .and_then(|offset| offset.parse::<usize>().ok())
                    .ok_or_else(|| InvalidCursor::new("is not a token from a previous page of this list"))?
            }
        };
        let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        let end = start.saturating_add(limit);
        let more = all.len() > end;
        let items: Vec<T> = all.into_iter().skip(start).take(limit).collect();
        let next = more
            .then(|| Cursor(BTreeMap::from([("pk".to_owned(), list.to_owned()), ("sk".to_owned(), end.to_string())])));
        Ok(Self { items, next })
    }

    /// The same page with every item mapped by `f`, or the first error.
    ///
    /// # Errors
    /// The first error of `f`.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page { items: self.items.into_iter().map(f).collect::<Result<_, _>>()?, next: self.next })
    }

    /// The `nextToken` of the response: a string when more items follow, else `None`
    /// (`null`).
    pub fn next_token(&self) -> Option<String> {
        self.next.as_ref().map(Cursor::token)
    }
}

/// Why a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The client's `nextToken` does not fit the list read (400 naming `nextToken`).
    #[error("nextToken {0}")]
    InvalidCursor(#[from] InvalidCursor),
    /// Storage failed, or a stored item is unreadable (500).
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<PageError> for ApiError {
    fn from(err: PageError) -> Self {
        match err {
            PageError::InvalidCursor(invalid) => invalid.into(),
            PageError::Storage(err) => ApiError::Internal(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::AttributeValue;

    const KEYS: [&str; 4] = ["pk", "sk", "gsi1pk", "gsi1sk"];
    const SORTS: [&str; 2] = ["sk", "gsi1sk"];
    const LIMITS: PageLimits = PageLimits::new(50, 100);

    fn key(partition: &str) -> Item {
        [("pk", "ORDER#1"), ("sk", "ORDER"), ("gsi1pk", partition), ("gsi1sk", "2026-01-01T00:00:00.000Z#1")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), AttributeValue::S(v.to_owned())))
            .collect()
    }

    fn field_of(err: ApiError) -> (String, String) {
        let ApiError::Validation(errors) = err else { panic!("a 400 naming a field") };
        (errors[0].field.clone(), errors[0].detail.clone())
    }

    #[test]
    fn a_cursor_round_trips_through_its_token() {
        let cursor = Cursor::of_key(key("USER#a")).unwrap();
        let token = cursor.token();
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
        let parsed = Cursor::parse(&token).unwrap();
        assert_eq!(parsed, cursor);
        assert_eq!(parsed.start_key(&KEYS, &SORTS, ("gsi1pk", "USER#a")).unwrap(), key("USER#a"));
    }

    #[test]
    fn a_tampered_or_garbage_token_is_refused() {
        let token = Cursor::of_key(key("USER#a")).unwrap().token();
        let mut tampered = token.clone();
        tampered.insert(3, '!');
        for bad in [
            "",
            "garbage",
            "%%%",
            tampered.as_str(),
            &token[..token.len() - 3],
            &format!("{token}="),
            &URL_SAFE_NO_PAD.encode(b"[1,2]"),
            &URL_SAFE_NO_PAD.encode(b"{}"),
            &URL_SAFE_NO_PAD.encode(br#"{"pk":1}"#),
            &"A".repeat(MAX_TOKEN_CHARS + 4),
        ] {
            assert!(Cursor::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_key_of_another_shape_is_refused_before_dynamodb_sees_it() {
        let start = |json: &str| {
            Cursor::parse(&URL_SAFE_NO_PAD.encode(json)).unwrap().start_key(&KEYS, &SORTS, ("gsi1pk", "USER#a"))
        };
        // Missing, extra, empty and oversized attributes.
        assert!(start(r#"{"pk":"a","sk":"b","gsi1pk":"USER#a"}"#).is_err());
        assert!(start(r#"{"pk":"a","sk":"b","gsi1pk":"USER#a","gsi1sk":"c","x":"d"}"#).is_err());
        assert!(start(r#"{"pk":"a","sk":"b","gsi1pk":"USER#a","gsi1sk":""}"#).is_err());
        let long = format!(r#"{{"pk":"a","sk":"b","gsi1pk":"USER#a","gsi1sk":"{}"}}"#, "x".repeat(1025));
        assert!(start(&long).is_err());
        assert!(start(r#"{"pk":"a","sk":"b","gsi1pk":"USER#a","gsi1sk":"c"}"#).is_ok());
    }

    #[test]
    fn a_cursor_of_another_partition_is_refused() {
        let token = Cursor::of_key(key("USER#someone-else")).unwrap().token();
        let err = Cursor::parse(&token).unwrap().start_key(&KEYS, &SORTS, ("gsi1pk", "USER#a")).unwrap_err();
        let (field, detail) = field_of(err.into());
        assert_eq!(field, "nextToken");
        assert!(detail.contains("another list"), "{detail}");
    }

    #[test]
    fn limit_defaults_and_is_refused_outside_its_range() {
        let page = PageRequest::from_values(&[], &[], LIMITS).unwrap();
        assert_eq!((page.limit(), page.cursor()), (50, None));
        assert_eq!(PageRequest::from_values(&["1"], &[], LIMITS).unwrap().limit(), 1);
        assert_eq!(PageRequest::from_values(&["100"], &[], LIMITS).unwrap().limit(), 100);
        for bad in ["0", "101", "1000", "abc", "", "+5", "-1", " 5", "5.0", "1e2", "99999999999999999999999"] {
            let (field, detail) = field_of(PageRequest::from_values(&[bad], &[], LIMITS).unwrap_err());
            assert_eq!(field, "limit", "{bad:?}");
            assert_eq!(detail, "must be an integer from 1 to 100");
        }
        assert_eq!(field_of(PageRequest::from_values(&["5", "6"], &[], LIMITS).unwrap_err()).0, "limit");
    }

    #[test]
    fn next_token_is_named_when_malformed_and_parsed_when_valid() {
        let (field, _) = field_of(PageRequest::from_values(&[], &["nope"], LIMITS).unwrap_err());
        assert_eq!(field, "nextToken");
        let token = Cursor::of_key(key("USER#a")).unwrap().token();
        let page = PageRequest::from_values(&["7"], &[&token], LIMITS).unwrap();
        assert_eq!(page.limit(), 7);
        assert_eq!(page.cursor().map(Cursor::token), Some(token));
        let ApiError::Validation(both) = PageRequest::from_values(&["0"], &["x"], LIMITS).unwrap_err() else {
            panic!("400")
        };
        assert_eq!(both.len(), 2);
    }

    #[test]
    fn an_in_memory_list_pages_like_a_query() {
        let all: Vec<u32> = (1..=5).collect();
        let first = Page::of_list(all.clone(), "mine", &PageRequest::first(2)).unwrap();
        assert_eq!(first.items, [1, 2]);
        let token = first.next_token().unwrap();
        let next = PageRequest::from_values(&["2"], &[&token], LIMITS).unwrap();
        let second = Page::of_list(all.clone(), "mine", &next).unwrap();
        assert_eq!(second.items, [3, 4]);
        let last = Page::of_list(all.clone(), "mine", &PageRequest::after(9, second.next.unwrap())).unwrap();
        assert_eq!((last.items, last.next), (vec![5], None));
        assert!(matches!(Page::of_list(all, "yours", &next), Err(PageError::InvalidCursor(_))));
    }

    #[test]
    fn a_page_says_whether_more_follows() {
        let last: Page<u32> = Page::new(vec![1, 2], None);
        assert_eq!(last.next_token(), None);
        let more = Page::new(vec![1], Some(Cursor::of_key(key("P")).unwrap()));
        let mapped = more.try_map(|n| Ok::<_, ()>(n * 2)).unwrap();
        assert_eq!(mapped.items, [2]);
        assert!(mapped.next_token().is_some());
    }
}
