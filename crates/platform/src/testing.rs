//! Clients for tests against local emulators (feature `testing`): fixed region, static
//! credentials, an explicit endpoint; no environment is read.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

/// An SDK configuration that sends every request to `endpoint`.
pub fn sdk_config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(Credentials::new(
            "local", "local", None, None, "tests",
        )))
        .endpoint_url(endpoint)
        .build()
}

/// A DynamoDB client for the emulator at `endpoint`.
pub fn dynamodb(endpoint: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config(endpoint))
}

/// An SNS client for the emulator at `endpoint`.
pub fn sns(endpoint: &str) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::new(&sdk_config(endpoint))
}

/// A handler's answer as `(status, JSON body)`, an [`crate::http::ApiError`] turned into the
/// response the function would send.
///
/// # Panics
/// When the body is not JSON.
pub fn answer(
    response: Result<lambda_http::Response<lambda_http::Body>, crate::http::ApiError>,
) -> (u16, serde_json::Value) {
    let response = response.unwrap_or_else(crate::http::ApiError::into_response);
    (response.status().as_u16(), serde_json::from_slice(response.body().as_ref()).expect("a JSON body"))
}

/// The `eventType` of every outbox item among `items` (a table's items in DynamoDB JSON, as a
/// `Scan` answers them), sorted: what the table will publish, each event once per item.
pub fn outbox_event_types(items: &[serde_json::Value]) -> Vec<String> {
    let mut types: Vec<String> = items
        .iter()
        .filter(|item| item["kind"]["S"] == crate::outbox::OUTBOX_KIND)
        .filter_map(|item| item["eventType"]["S"].as_str().map(str::to_owned))
        .collect();
    types.sort();
    types
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn outbox_event_types_are_the_outbox_items_only_sorted() {
        let items = [
            json!({"kind": {"S": "OutboxEvent"}, "eventType": {"S": "PayCancelled"}}),
            json!({"kind": {"S": "Payment"}, "eventType": {"S": "NotAnEvent"}}),
            json!({"kind": {"S": "OutboxEvent"}, "eventType": {"S": "PayApproved"}}),
        ];
        assert_eq!(super::outbox_event_types(&items), ["PayApproved", "PayCancelled"]);
    }
}
