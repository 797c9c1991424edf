//! Where the commands act: a template, SQS and Lambda clients, and the physical resource
//! behind each logical id.
//!
//! - On AWS ([`Target::aws`]): clients from the standard configuration (`AWS_PROFILE`,
//!   `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_SQS`, ...), physical ids from
//!   CloudFormation `ListStackResources` of the stack (a queue's physical id is its URL, a
//!   function's is its name).
//! - On the local stack ([`Target::local`]): endpoints, stack name and template from the
//!   running devstack's `GET /_devstack/endpoints` ([`local_endpoints`]), physical names by
//!   devstack's naming (`<stack>-<LogicalId>`, queue URL `<sqs>/<account>/<name>`).
//! - Either way, [`Target::with_physical`] overrides one logical id (`--resource
//!   Id=queue-url-or-function-name` on the command line).

use std::collections::BTreeMap;
use std::path::Path;

use aws_config::BehaviorVersion;
use devstack::control::Endpoints;
use devstack::template::{Naming, Template};

use crate::Error;

/// Where the local stack's control API listens by default (`devstack up` binds 3001).
pub const DEFAULT_DEVSTACK_URL: &str = "http://127.0.0.1:3001";

/// A template and the account it is deployed to.
#[derive(Debug, Clone)]
pub struct Target {
    pub(crate) template: Template,
    pub(crate) sqs: aws_sdk_sqs::Client,
    pub(crate) lambda: aws_sdk_lambda::Client,
    physical: BTreeMap<String, String>,
    /// Account id for the events `republish` sends, when known.
    pub(crate) account_id: Option<String>,
    /// Region, when known.
    pub(crate) region: Option<String>,
}

impl Target {
    /// A target from its parts: `physical` maps logical ids to queue URLs (queues) and
    /// function names or ARNs (functions).
    pub fn new(
        template: Template,
        sqs: aws_sdk_sqs::Client,
        lambda: aws_sdk_lambda::Client,
        physical: BTreeMap<String, String>,
    ) -> Self {
        Self { template, sqs, lambda, physical, account_id: None, region: None }
    }

    /// The local stack that serves `endpoints`, running `template` (the stack's own
    /// template when `None`).
    ///
    /// # Errors
    /// When the template cannot be read.
    pub fn local(endpoints: &Endpoints, template: Option<&Path>) -> Result<Self, Error> {
        let path = template.unwrap_or_else(|| Path::new(&endpoints.template));
        let template = Template::load(path).map_err(|err| Error::Template(format!("{err:#}")))?;
        let naming = Naming {
            stack_name: endpoints.stack_name.clone(),
            region: endpoints.region.clone(),
            sqs_url: endpoints.sqs.clone(),
        };
        let physical = template
            .resources
            .keys()
            .map(|id| {
                let name = naming.reference(&template, id).unwrap_or_else(|_| naming.physical_name(&template, id));
                (id.clone(), name)
            })
            .collect();
        let credentials = aws_sdk_sqs::config::Credentials::new("local", "local", None, None, "devstack");
        let region = aws_sdk_sqs::config::Region::new(endpoints.region.clone());
        let sqs = aws_sdk_sqs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(region.clone())
            .credentials_provider(credentials.clone())
            .endpoint_url(&endpoints.sqs)
            .build();
        let lambda = aws_sdk_lambda::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(region)
            .credentials_provider(credentials)
            .endpoint_url(&endpoints.lambda)
            .build();
        Ok(Self {
            template,
            sqs: aws_sdk_sqs::Client::from_conf(sqs),
            lambda: aws_sdk_lambda::Client::from_conf(lambda),
            physical,
            account_id: Some(endpoints.account_id.clone()),
            region: Some(endpoints.region.clone()),
        })
    }

    /// The deployed stack `stack_name` of `template`, with clients from the standard AWS
    /// configuration (environment, profile).
    ///
    /// # Errors
    /// When the template cannot be read or CloudFormation cannot list the stack's resources.
    pub async fn aws(template: &Path, stack_name: &str) -> Result<Self, Error> {
        let template = Template::load(template).map_err(|err| Error::Template(format!("{err:#}")))?;
        let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
        let cloudformation = aws_sdk_cloudformation::Client::new(&config);
        let mut physical = BTreeMap::new();
        let mut pages = cloudformation.list_stack_resources().stack_name(stack_name).into_paginator().items().send();
        while let Some(resource) = pages.next().await {
            let resource = resource.map_err(|err| {
                Error::Aws(format!("listing the resources of stack {stack_name}: {}", sdk_error(&err)))
            })?;
            if let (Some(logical), Some(physical_id)) =
                (resource.logical_resource_id(), resource.physical_resource_id())
            {
                physical.insert(logical.to_owned(), physical_id.to_owned());
            }
        }
        let mut target =
            Self::new(template, aws_sdk_sqs::Client::new(&config), aws_sdk_lambda::Client::new(&config), physical);
        target.region = config.region().map(ToString::to_string);
        Ok(target)
    }

    /// This target with `logical_id` resolved to `physical` (a queue URL, a function name).
    #[must_use]
    pub fn with_physical(mut self, logical_id: impl Into<String>, physical: impl Into<String>) -> Self {
        self.physical.insert(logical_id.into(), physical.into());
        self
    }

    /// The template.
    pub fn template(&self) -> &Template {
        &self.template
    }

    /// The URL of queue `logical_id`.
    ///
    /// # Errors
    /// When the template has no such queue or its URL is not known.
    pub fn queue_url(&self, logical_id: &str) -> Result<&str, Error> {
        if self.template.type_of(logical_id) != Some("AWS::SQS::Queue") {
            return Err(Error::UnknownResource { logical_id: logical_id.to_owned(), kind: "queue" });
        }
        self.physical(logical_id)
    }

    /// The name (or ARN) of function `logical_id`.
    ///
    /// # Errors
    /// When the template has no such function or its name is not known.
    pub fn function_name(&self, logical_id: &str) -> Result<&str, Error> {
        if !matches!(self.template.type_of(logical_id), Some("AWS::Serverless::Function" | "AWS::Lambda::Function")) {
            return Err(Error::UnknownResource { logical_id: logical_id.to_owned(), kind: "function" });
        }
        self.physical(logical_id)
    }

    /// The logical id of the function whose ARN (or name) is `arn`, if it is one of the
    /// template's.
    pub fn function_of_arn(&self, arn: &str) -> Option<&str> {
        let name = arn.split(":function:").nth(1).map_or(arn, |rest| rest.split(':').next().unwrap_or(rest));
        self.physical
            .iter()
            .filter(|(id, _)| {
                matches!(self.template.type_of(id), Some("AWS::Serverless::Function" | "AWS::Lambda::Function"))
            })
            .find(|(_, physical)| physical.as_str() == name || physical.as_str() == arn)
            .map(|(id, _)| id.as_str())
    }

    fn physical(&self, logical_id: &str) -> Result<&str, Error> {
        self.physical
            .get(logical_id)
            .map(String::as_str)
            .ok_or_else(|| Error::NoPhysicalId { logical_id: logical_id.to_owned() })
    }
}

/// Reads the running local stack's endpoints from its control API at `devstack_url`
/// (e.g. [`DEFAULT_DEVSTACK_URL`]).
///
/// # Errors
/// When no local stack answers there.
pub async fn local_endpoints(devstack_url: &str) -> Result<Endpoints, Error> {
    let url = format!("{}/_devstack/endpoints", devstack_url.trim_end_matches('/'));
    let unreachable = |err: reqwest::Error| Error::LocalStack { url: url.clone(), reason: err.to_string() };
    reqwest::get(&url).await.and_then(reqwest::Response::error_for_status).map_err(unreachable)?.json().await.map_err(
        |err: reqwest::Error| Error::LocalStack {
            url: url.clone(),
            reason: format!("not an endpoints document: {err}"),
        },
    )
}

/// The message of an SDK error with its causes (the service's code and message included).
pub(crate) fn sdk_error(err: &(impl std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
