//! The embedded AWS services: DynamoDB with Streams (`dynoxide-rs`), SQS and SNS
//! (`rustack-*`), each served on its own loopback port so the functions' real AWS SDK
//! clients reach them through `AWS_ENDPOINT_URL_<SERVICE>`, and each also driven
//! in-process by the local stack itself (creating resources, polling event sources).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use async_trait::async_trait;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustack_sns_core::publisher::{DeliveryError, SqsPublisher};
use rustack_sns_core::{config::SnsConfig, handler::RustackSnsHandler, provider::RustackSns};
use rustack_sqs_core::{config::SqsConfig, provider::RustackSqs};

use crate::durable_sqs::{DurableSqs, JournaledHandler};
use rustack_sqs_model::input::SendMessageInput;
use serde::{Serialize, de::DeserializeOwned};
use tokio::net::TcpListener;

/// Region the embedded services report.
pub const REGION: &str = "us-east-1";

/// The embedded DynamoDB database type, for in-process calls through [`Emulators::ddb`].
pub type Database = dynoxide::Database;

/// The running emulators and where they listen.
#[derive(Clone)]
pub struct Emulators {
    /// The DynamoDB database (file-backed or in memory).
    pub dynamodb: dynoxide::Database,
    /// The SQS provider, with its journal when the stack has a state folder.
    pub sqs: Arc<DurableSqs>,
    /// The SNS provider (delivers to `sqs`).
    pub sns: Arc<RustackSns>,
    /// `http://127.0.0.1:<port>` of DynamoDB (and DynamoDB Streams).
    pub dynamodb_url: String,
    /// `http://127.0.0.1:<port>` of SQS.
    pub sqs_url: String,
    /// `http://127.0.0.1:<port>` of SNS.
    pub sns_url: String,
    /// Whether the SNS endpoint answers 500 to everything ([`crate::faults`]).
    pub sns_fault: crate::faults::ServiceFault,
    /// What the functions' calls would be billed for ([`crate::usage`]).
    pub usage: crate::usage::Usage,
}

impl Emulators {
    /// Starts the three services on ephemeral loopback ports.
    ///
    /// `dynamodb_file`: the SQLite file that keeps DynamoDB's data across restarts, or
    /// `None` for an in-memory database. SQS and SNS state lives in memory (no journal).
    ///
    /// # Errors
    /// When a port cannot be bound or the database file cannot be opened.
    pub async fn start(dynamodb_file: Option<&Path>) -> anyhow::Result<Self> {
        Self::start_durable(dynamodb_file, None, false).await
    }

    /// Starts the three services, as [`Emulators::start`] does, with the SQS journal in
    /// `sqs_journal` (see [`crate::durable_sqs`]) when given. The journal is not replayed
    /// yet: call `sqs.replay()` once the queues exist.
    ///
    /// # Errors
    /// When a port cannot be bound or a state file cannot be opened.
    pub async fn start_durable(
        dynamodb_file: Option<&Path>,
        sqs_journal: Option<&Path>,
        meter_dynamodb: bool,
    ) -> anyhow::Result<Self> {
        let dynamodb = match dynamodb_file {
            Some(path) => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let path = path.to_str().ok_or_else(|| anyhow!("non-UTF-8 path {}", path.display()))?;
                let database = dynoxide::Database::new(path).with_context(|| format!("opening {path}"))?;
                if let Err(err) = index_stream_records(path) {
                    tracing::warn!(error = format!("{err:#}"), "stream reads stay unindexed (slower as history grows)");
                }
                database
            }
            None => in_memory_database()?.0,
        };
        let ddb_listener = bind().await?;
        let dynoxide_url = url(ddb_listener.local_addr()?);
        let served = dynamodb.clone();
        tokio::spawn(async move {
            let _ = dynoxide::server::serve_with_shutdown(ddb_listener, served, std::future::pending()).await;
        });
        // With `meter_dynamodb` the functions reach DynamoDB through the metering proxy
        // (crate::usage), which costs every call about 1.6 ms; otherwise directly.
        let usage = crate::usage::Usage::default();
        let dynamodb_url = if meter_dynamodb {
            let proxy_listener = bind().await?;
            let proxy_url = url(proxy_listener.local_addr()?);
            tokio::spawn(crate::usage::serve_dynamodb_proxy(proxy_listener, dynoxide_url, usage.clone()));
            usage.meter_dynamodb();
            proxy_url
        } else {
            dynoxide_url
        };

        let sqs_listener = bind().await?;
        let sqs_addr = sqs_listener.local_addr()?;
        let emulator = Arc::new(RustackSqs::new(SqsConfig {
            host: "127.0.0.1".to_owned(),
            port: sqs_addr.port(),
            default_region: REGION.to_owned(),
            ..SqsConfig::default()
        }));
        let sqs = Arc::new(DurableSqs::open(emulator, sqs_journal)?);
        let sqs_service = rustack_sqs_http::service::SqsHttpService::new(
            Arc::new(JournaledHandler::new(Arc::clone(&sqs))),
            rustack_sqs_http::service::SqsHttpConfig::default(),
        );
        tokio::spawn(serve(sqs_listener, sqs_service));

        let sns_listener = bind().await?;
        let sns_addr = sns_listener.local_addr()?;
        let sns = Arc::new(RustackSns::new(
            SnsConfig {
                host: "127.0.0.1".to_owned(),
                port: sns_addr.port(),
                default_region: REGION.to_owned(),
                ..SnsConfig::default()
            },
            Arc::new(SqsBridge { sqs: Arc::clone(&sqs), usage: usage.clone() }),
        ));
        let sns_service = rustack_sns_http::service::SnsHttpService::new(
            Arc::new(crate::usage::MeteredSns::new(RustackSnsHandler::new(Arc::clone(&sns)), usage.clone())),
            rustack_sns_http::service::SnsHttpConfig::default(),
        );
        let sns_fault = crate::faults::ServiceFault::default();
        let sns_service = crate::trace::TracedSns::new(sns_service);
        tokio::spawn(serve(sns_listener, crate::faults::FaultySns::new(sns_service, sns_fault.clone())));

        Ok(Self { dynamodb, sqs, sns, dynamodb_url, sqs_url: url(sqs_addr), sns_url: url(sns_addr), sns_fault, usage })
    }

    /// Calls a DynamoDB (or DynamoDB Streams) operation in-process with its JSON request,
    /// returning its JSON response, e.g. `ddb(Database::describe_stream, json!({...}))`.
    ///
    /// # Errors
    /// When the request does not deserialize or the operation fails.
    pub fn ddb<Req, Resp, E>(
        &self,
        operation: impl FnOnce(&dynoxide::Database, Req) -> Result<Resp, E>,
        request: serde_json::Value,
    ) -> anyhow::Result<serde_json::Value>
    where
        Req: DeserializeOwned,
        Resp: Serialize,
        E: std::fmt::Display,
    {
        let request: Req = serde_json::from_value(request)?;
        let response = operation(&self.dynamodb, request).map_err(|err| anyhow!("{err}"))?;
        Ok(serde_json::to_value(response)?)
    }
}

async fn bind() -> anyhow::Result<TcpListener> {
    Ok(TcpListener::bind("127.0.0.1:0").await?)
}

fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Serves a hyper service on every connection accepted by `listener`.
pub async fn serve<S, B>(listener: TcpListener, service: S)
where
    S: hyper::service::Service<http::Request<hyper::body::Incoming>, Response = http::Response<B>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let service = service.clone();
        tokio::spawn(async move {
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// A new in-memory DynamoDB database with its stream records indexed, and the `file:` URI
/// it is open under.
///
/// A named in-memory database in shared-cache mode rather than `Database::memory()`, so
/// that a second connection can add the indexes of [`index_stream_records`]: without
/// them every write and every stream poll scans the whole stream history, and a stack
/// that had run a few thousand orders slowed to about one order a second. The name is
/// unique in the process; the database lives as long as the returned handle's clones.
///
/// # Errors
/// When SQLite cannot open it.
fn in_memory_database() -> anyhow::Result<(dynoxide::Database, String)> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let uri = format!("file:devstack-{}-{n}?mode=memory&cache=shared", std::process::id());
    let database = dynoxide::Database::new(&uri).context("opening the in-memory database")?;
    if let Err(err) = index_stream_records(&uri) {
        tracing::warn!(error = format!("{err:#}"), "stream reads stay unindexed (slower as history grows)");
    }
    Ok((database, uri))
}

/// Indexes the embedded DynamoDB's stream records in the SQLite database at `path` (a
/// file, or a shared-cache in-memory database's `file:` URI while its first connection
/// is open).
///
/// dynoxide 3.2 keeps every table's stream records in one `_stream_records` table without
/// an index, and reads a shard (`GetRecords` after a sequence number) and the next
/// sequence number of every write with a full scan of it: every write and every stream
/// poll got slower as history grew. These two indexes match those queries' expressions, so both become index
/// searches. `IF NOT EXISTS`: a no-op on a file indexed before.
///
/// # Errors
/// When the file cannot be opened or the table is not shaped as expected (a newer
/// dynoxide): the stack then runs without the indexes.
fn index_stream_records(path: &str) -> anyhow::Result<()> {
    let connection = rusqlite::Connection::open(path)?;
    connection.busy_timeout(Duration::from_secs(5))?;
    connection.execute_batch(
        "CREATE INDEX IF NOT EXISTS devstack_stream_shard_position
             ON _stream_records (table_name, shard_id, CAST(sequence_number AS INTEGER));
         CREATE INDEX IF NOT EXISTS devstack_stream_table_position
             ON _stream_records (table_name, CAST(sequence_number AS INTEGER));",
    )?;
    Ok(())
}

/// Delivers SNS fan-out into the embedded SQS queues, each message with the publish's
/// trace header (SNS gives it to SQS as the `AWSTraceHeader` system attribute; here it is
/// [`crate::trace::TRACE_MESSAGE_ATTRIBUTE`]).
struct SqsBridge {
    sqs: Arc<DurableSqs>,
    usage: crate::usage::Usage,
}

#[async_trait]
impl SqsPublisher for SqsBridge {
    fn validate(&self, queue_arn: &str) -> Result<(), DeliveryError> {
        self.sqs.queue_url_for_arn(queue_arn).map(|_| ()).map_err(|err| DeliveryError::Unsupported(err.to_string()))
    }

    async fn send_message(
        &self,
        queue_arn: &str,
        body: &str,
        group: Option<&str>,
        dedup: Option<&str>,
    ) -> Result<(), DeliveryError> {
        let queue_url =
            self.sqs.queue_url_for_arn(queue_arn).map_err(|err| DeliveryError::Unsupported(err.to_string()))?;
        let message_attributes = crate::trace::publish_trace()
            .map(|trace| (crate::trace::TRACE_MESSAGE_ATTRIBUTE.to_owned(), crate::trace::trace_attribute(&trace)))
            .into_iter()
            .collect();
        self.sqs
            .send_message(SendMessageInput {
                queue_url,
                message_body: body.to_owned(),
                message_group_id: group.map(str::to_owned),
                message_deduplication_id: dedup.map(str::to_owned),
                message_attributes,
                ..Default::default()
            })
            .await
            .map(|_| self.usage.sqs_send_from_sns(queue_arn))
            .map_err(|err| DeliveryError::SqsDeliveryFailed {
                queue_arn: queue_arn.to_owned(),
                reason: err.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The indexes on `_stream_records` in the in-memory database at `uri`, as its own
    /// catalogue lists them.
    fn stream_indexes(uri: &str) -> Vec<String> {
        let connection = rusqlite::Connection::open(uri).expect("second connection");
        let mut statement = connection
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '_stream_records' ORDER BY name",
            )
            .expect("prepare");
        statement.query_map([], |row| row.get(0)).expect("query").collect::<Result<_, _>>().expect("rows")
    }

    #[test]
    fn in_memory_databases_index_their_stream_records_each_in_its_own_database() {
        let (first, uri) = in_memory_database().expect("first");
        let (second, _) = in_memory_database().expect("second");
        assert_eq!(stream_indexes(&uri), ["devstack_stream_shard_position", "devstack_stream_table_position"]);
        first
            .create_table(
                serde_json::from_value(serde_json::json!({
                    "TableName": "only-in-first",
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "BillingMode": "PAY_PER_REQUEST"
                }))
                .expect("request"),
            )
            .expect("create table");
        let tables = |d: &Database| d.list_tables(serde_json::from_value(serde_json::json!({})).expect("request"));
        assert_eq!(tables(&first).expect("list").table_names, ["only-in-first"]);
        assert!(tables(&second).expect("list").table_names.is_empty());
    }
}
