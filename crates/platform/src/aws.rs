//! AWS SDK configuration, loaded once per cold start.
//!
//! `aws_config` honours the standard variables, including `AWS_ENDPOINT_URL` and the
//! per-service `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SNS`, ... that the local
//! stack sets to point the real clients at its embedded emulators.

/// Loads the shared SDK configuration (region, credentials, endpoints) from the environment.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}

/// Builds a DynamoDB client from the shared configuration.
pub fn dynamodb(config: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(config)
}

/// Builds an SNS client from the shared configuration.
pub fn sns(config: &aws_config::SdkConfig) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::new(config)
}
