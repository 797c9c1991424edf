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
