//! `devstack`: the local stack's command line.
//!
//! - `devstack up` (the default): build the functions, start everything, serve the HTTP API.
//! - `devstack invoke <LogicalId> -e events/file.json`: run one function with one event,
//!   as `sam local invoke -e` does, and print its answer.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use devstack::{Stack, StackOptions};

#[derive(Parser)]
#[command(version, about = "Run an AWS SAM template locally: no AWS account, no Docker")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    common: Common,
}

#[derive(Subcommand)]
enum Command {
    /// Build the functions and run the whole template (the default).
    Up(Up),
    /// Invoke one function with one event file and print the response.
    Invoke(Invoke),
}

#[derive(Args, Clone)]
struct Common {
    /// The SAM template.
    #[arg(long, global = true, default_value = "infra/template.yaml")]
    template: PathBuf,
    /// Template parameter override, `Name=Value` (repeatable).
    #[arg(long = "parameter", global = true, value_name = "NAME=VALUE")]
    parameters: Vec<String>,
    /// Do not run `cargo build` first; use the binaries already in the target folder.
    #[arg(long, global = true)]
    no_build: bool,
    /// Stack name, prefixed to physical resource names.
    #[arg(long, global = true, default_value = "local")]
    stack_name: String,
}

#[derive(Parser)]
struct Up {
    /// Port of the HTTP API.
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Port of the Lambda API (`AWS_ENDPOINT_URL_LAMBDA`) and the /_devstack endpoints.
    #[arg(long, default_value_t = 3001)]
    lambda_port: u16,
    /// Folder that keeps DynamoDB data and stream positions across restarts.
    #[arg(long, default_value = ".devstack")]
    state_dir: PathBuf,
    /// Start from empty tables.
    #[arg(long)]
    fresh: bool,
    /// Concurrency limit of a function without ReservedConcurrentExecutions.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
}

#[derive(Args)]
struct Invoke {
    /// Logical id of the function in the template.
    function: String,
    /// The event file (JSON).
    #[arg(short = 'e', long = "event")]
    event: PathBuf,
}

fn parameters(pairs: &[String]) -> anyhow::Result<HashMap<String, String>> {
    pairs
        .iter()
        .map(|pair| {
            let (name, value) =
                pair.split_once('=').with_context(|| format!("--parameter {pair}: expected NAME=VALUE"))?;
            Ok((name.to_owned(), value.to_owned()))
        })
        .collect()
}

fn bin_dir(common: &Common) -> anyhow::Result<PathBuf> {
    let workspace = std::env::current_dir()?;
    let template = devstack::template::Template::load(&common.template)?;
    if common.no_build {
        Ok(devstack::build::target_dir(&workspace)?.join("debug"))
    } else {
        let started = std::time::Instant::now();
        let dir = devstack::build::build(&workspace, &devstack::build::binaries(&template), false)?;
        eprintln!("built the function binaries in {:.1} s", started.elapsed().as_secs_f64());
        Ok(dir)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DEVSTACK_LOG").unwrap_or_else(|_| "warn,devstack=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let common = cli.common.clone();
    match cli.command.unwrap_or(Command::Up(Up {
        port: 3000,
        lambda_port: 3001,
        state_dir: ".devstack".into(),
        concurrency: 4,
        fresh: false,
    })) {
        Command::Up(up) => run_up(&common, up).await,
        Command::Invoke(invoke) => run_invoke(&common, invoke).await,
    }
}

async fn run_up(common: &Common, up: Up) -> anyhow::Result<()> {
    let bin_dir = bin_dir(common)?;
    let started = std::time::Instant::now();
    let stack = Stack::start(StackOptions {
        template: common.template.clone(),
        state_dir: Some(up.state_dir.clone()),
        fresh: up.fresh,
        api_port: up.port,
        lambda_port: up.lambda_port,
        bin_dir,
        parameters: parameters(&common.parameters)?,
        stack_name: common.stack_name.clone(),
        default_concurrency: up.concurrency,
        verbose: true,
        event_source_mappings: true,
    })
    .await?;
    println!("devstack is up in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    println!("  HTTP API      {}", stack.api_url);
    println!("  Lambda API    {}   (AWS_ENDPOINT_URL_LAMBDA)", stack.lambda_url);
    println!("  DynamoDB      {}", stack.emulators.dynamodb_url);
    println!("  SQS           {}", stack.emulators.sqs_url);
    println!("  SNS           {}", stack.emulators.sns_url);
    println!("  state         {}", up.state_dir.display());
    println!("  published SNS messages: {}/_devstack/sns-messages", stack.lambda_url);
    println!("press Ctrl-C to stop");
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    Ok(())
}

async fn run_invoke(common: &Common, invoke: Invoke) -> anyhow::Result<()> {
    let payload = std::fs::read(&invoke.event).with_context(|| format!("reading {}", invoke.event.display()))?;
    serde_json::from_slice::<serde_json::Value>(&payload)
        .with_context(|| format!("{} is not JSON", invoke.event.display()))?;
    let bin_dir = bin_dir(common)?;
    let stack = Stack::start(StackOptions {
        template: common.template.clone(),
        state_dir: None,
        fresh: false,
        api_port: 0,
        lambda_port: 0,
        bin_dir,
        parameters: parameters(&common.parameters)?,
        stack_name: common.stack_name.clone(),
        default_concurrency: 1,
        verbose: true,
        event_source_mappings: false,
    })
    .await?;
    let invocation = stack.invoke(&invoke.function, payload.into()).await?;
    match invocation.outcome {
        devstack::lambda::Outcome::Response(body) => {
            println!("{}", String::from_utf8_lossy(&body));
            Ok(())
        }
        devstack::lambda::Outcome::Error(error) => bail!("the function failed: {error}"),
    }
}
