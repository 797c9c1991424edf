//! AWS SDK configuration, loaded once per cold start, with as little work at init as Lambda
//! allows.
//!
//! `aws_config` honours the standard variables, including `AWS_ENDPOINT_URL` and the
//! per-service `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SNS`, ... that the local
//! stack sets to point the real clients at its embedded emulators.
//!
//! Two things the default loading does at init are moved or skipped (a cold start is billed
//! and felt by the caller; see `docs/performance.md`, "Init time"):
//! - **region and credentials**: in a Lambda execution environment (`AWS_LAMBDA_FUNCTION_NAME`
//!   set) they are the variables Lambda sets, `AWS_REGION` and `AWS_ACCESS_KEY_ID` /
//!   `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, read straight from the environment instead
//!   of through the default chains (profile files, web identity, ECS, IMDS). The local stack
//!   sets the same variables. Elsewhere (tools, tests) the default chains run as before.
//! - **root certificates**: the SDK's default HTTPS client reads the system's trust store
//!   (every file under `/etc/ssl/certs`) when a client is built. [`sdk_config`] gives the
//!   clients the same client (hyper 1, rustls with aws-lc) but lets it read the roots when the
//!   first HTTPS connection is made, so a function whose AWS endpoints are plain HTTP (the
//!   local stack) never reads them and one on Lambda reads them in its first invocation. Unlike
//!   the SDK's default it takes no proxy from `HTTPS_PROXY`/`NO_PROXY`: a function reaches AWS
//!   directly (or through VPC endpoints), never through a forward proxy.

use aws_config::BehaviorVersion;
use aws_config::environment::{EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::shared::IntoShared;

/// Loads the shared SDK configuration (region, credentials, endpoints) from the environment:
/// in a Lambda execution environment from the variables Lambda sets and nothing else, elsewhere
/// through the SDK's default chains. The HTTPS client reads the trust store on first use.
pub async fn sdk_config() -> aws_config::SdkConfig {
    let loader = aws_config::defaults(BehaviorVersion::latest()).http_client(RootsOnFirstUse::shared());
    let loader = if in_lambda() && std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
        loader
            .region(EnvironmentVariableRegionProvider::new())
            .credentials_provider(EnvironmentVariableCredentialsProvider::new())
    } else {
        loader
    };
    loader.load().await
}

/// Whether this process runs as a Lambda function (Lambda, or the local stack, sets
/// `AWS_LAMBDA_FUNCTION_NAME`).
fn in_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
}

/// The SDK's HTTPS client (hyper 1.x, rustls with aws-lc, the system's root certificates), minus
/// the warm-up: the SDK asks every client to validate itself when a service client is built,
/// and the default client answers by building its TLS connector, reading the whole trust
/// store. This one leaves the connector, and the read, to the first request.
#[derive(Debug, Clone)]
struct RootsOnFirstUse(SharedHttpClient);

impl RootsOnFirstUse {
    fn shared() -> SharedHttpClient {
        let https =
            aws_smithy_http_client::Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc)).build_https();
        Self(https).into_shared()
    }
}

impl HttpClient for RootsOnFirstUse {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

/// Builds a DynamoDB client from the shared configuration.
pub fn dynamodb(config: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(config)
}

/// Builds an SNS client from the shared configuration.
pub fn sns(config: &aws_config::SdkConfig) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::new(config)
}
