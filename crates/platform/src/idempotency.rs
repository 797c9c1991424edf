//! Idempotent commands: a client sends an `Idempotency-Key` header with a command that
//! creates something (`POST /orders`, say); a repeat with the same key and the same
//! request answers the first response again and creates nothing; the same key with a
//! different request is refused (422).
//!
//! The record is written in the same transaction as the command's effect, so a crash
//! either stored both or neither. Item shape, in the context's table:
//! `pk = IDEMPOTENCY#<scope>#<key>`, `sk = IDEMPOTENCY`, `fingerprint` (SHA-256 hex of the
//! request's meaning), `resourceId`, `status` (HTTP), `response` (the body answered),
//! `expiresAt` (epoch seconds; TTL). The scope is the caller (a token's `sub`), so two
//! callers never share a key.

use std::time::Duration;

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::http::ApiError;

/// The request header that carries the key.
pub const HEADER: &str = "Idempotency-Key";
/// How long a key is remembered: a day, as Stripe and the IETF draft suggest.
pub const REMEMBERED_FOR: Duration = Duration::from_secs(24 * 3600);

/// A client's idempotency key: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The `Idempotency-Key` of `request`.
///
/// # Errors
/// 400 naming the header when it is missing, empty, longer than 255 characters or not
/// visible ASCII.
pub fn key(request: &Request) -> Result<IdempotencyKey, ApiError> {
    let value = request
        .headers()
        .get(HEADER)
        .ok_or_else(|| ApiError::field(HEADER, "header is required: a unique value per attempt"))?;
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::field(HEADER, "must be 1 to 255 visible ASCII characters"));
    }
    Ok(IdempotencyKey(key.to_owned()))
}

/// SHA-256 (hex) of a request's meaning, to tell a replay from a different request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

/// The fingerprint of `parts` (the command's fields, in a fixed order).
pub fn fingerprint<I, S>(parts: I) -> Fingerprint
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut hasher = Sha256::new();
    for part in parts {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        hasher.update(part.as_ref().len().to_be_bytes());
        hasher.update(part.as_ref().as_bytes());
    }
    Fingerprint(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The first answer to a command, kept under its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdempotencyRecord {
    /// The request's fingerprint.
    pub fingerprint: Fingerprint,
    /// The id of what the command created.
    pub resource_id: String,
    /// The HTTP status answered.
    pub status: u16,
    /// The body answered (JSON).
    pub response: String,
}

/// The stored form of a record (see the module doc for the shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    record: IdempotencyRecord,
    expires_at: i64,
}

/// The partition key of the record of `key` in `scope` (its sort key is [`RECORD_SK`]).
fn record_pk(scope: &str, key: &IdempotencyKey) -> String {
    format!("IDEMPOTENCY#{scope}#{}", key.as_str())
}

/// The sort key of every idempotency record.
const RECORD_SK: &str = "IDEMPOTENCY";

/// The item that stores `record` for `key` in `scope` until [`REMEMBERED_FOR`] from now.
///
/// # Errors
/// Only if the record cannot be mapped to an item.
pub fn item(scope: &str, key: &IdempotencyKey, record: &IdempotencyRecord) -> anyhow::Result<crate::dynamo::Item> {
    let expires_at = chrono::Utc::now().timestamp() + i64::try_from(REMEMBERED_FOR.as_secs()).unwrap_or(i64::MAX);
    crate::dynamo::to_item(&RecordItem {
        pk: record_pk(scope, key),
        sk: RECORD_SK.to_owned(),
        record: record.clone(),
        expires_at,
    })
}

/// The record in a stored item; `None` once expired (TTL removes items late).
///
/// # Errors
/// When the item is not a record.
fn record_of(item: crate::dynamo::Item) -> anyhow::Result<Option<IdempotencyRecord>> {
    let stored: RecordItem = crate::dynamo::from_item(item)?;
    Ok((stored.expires_at >= chrono::Utc::now().timestamp()).then_some(stored.record))
}

/// The unexpired record of `key` in `scope` in `table` (a consistent `GetItem`), `None` when the
/// key is new or its record expired.
///
/// # Errors
/// When the read fails or the stored item is not a record.
pub async fn find(
    table: &crate::dynamo::Table,
    scope: &str,
    key: &IdempotencyKey,
) -> anyhow::Result<Option<IdempotencyRecord>> {
    table.get_raw(record_pk(scope, key), RECORD_SK).await?.map(record_of).transpose().map(Option::flatten)
}

/// The answer to a repeat: the first response again, marked `Idempotent-Replayed: true`.
///
/// # Errors
/// 422 when the same key came with a different request.
pub fn replay(record: &IdempotencyRecord, fingerprint: &Fingerprint) -> Result<Response<Body>, ApiError> {
    if &record.fingerprint != fingerprint {
        return Err(ApiError::Unprocessable(
            "this Idempotency-Key was already used for a different request".to_owned(),
        ));
    }
    tracing::info!(resource_id = %record.resource_id, "idempotent replay");
    let status = StatusCode::from_u16(record.status).unwrap_or(StatusCode::OK);
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("idempotent-replayed", "true")
        .body(Body::Text(record.response.clone()))
        .map_err(|err| ApiError::Internal(err.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(key: Option<&str>) -> Request {
        let mut builder = lambda_http::http::Request::builder().method("POST").uri("/x");
        if let Some(key) = key {
            builder = builder.header(HEADER, key);
        }
        builder.body(Body::Empty).unwrap()
    }

    #[test]
    fn the_key_is_required_and_bounded() {
        assert_eq!(key(&request(Some(" k-1 "))).unwrap().as_str(), "k-1");
        for bad in [None, Some(""), Some("with space"), Some(&*"x".repeat(256))] {
            assert!(matches!(key(&request(bad)), Err(ApiError::Validation(_))), "{bad:?}");
        }
    }

    #[test]
    fn a_replay_answers_the_first_response_and_another_request_is_refused() {
        let first = fingerprint(["c1", "p1x2"]);
        assert_ne!(first, fingerprint(["c1p", "1x2"]));
        let record = IdempotencyRecord {
            fingerprint: first.clone(),
            resource_id: "o1".into(),
            status: 201,
            response: "{\"id\":\"o1\"}".into(),
        };
        let again = replay(&record, &first).unwrap();
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert!(matches!(replay(&record, &fingerprint(["c1", "p1x3"])), Err(ApiError::Unprocessable(_))));
    }

    #[test]
    fn records_round_trip_through_items_until_they_expire() {
        let key = IdempotencyKey("k".into());
        let record = IdempotencyRecord {
            fingerprint: fingerprint(["a"]),
            resource_id: "r".into(),
            status: 201,
            response: "{}".into(),
        };
        let item = item("auth0|x", &key, &record).unwrap();
        assert_eq!(item["pk"].as_s().unwrap(), "IDEMPOTENCY#auth0|x#k");
        assert_eq!(record_of(item.clone()).unwrap(), Some(record));
        let mut expired = item;
        expired.insert("expiresAt".into(), aws_sdk_dynamodb::types::AttributeValue::N("1".into()));
        assert_eq!(record_of(expired).unwrap(), None);
    }
}
