//! `devstack`: the local stack's command line.
//!
//! - `devstack up [SYSTEM]` (the default): build the system's functions, start everything,
//!   serve the HTTP API. `SYSTEM` is a system folder (`systems/<name>`); without one, the
//!   workspace's `[workspace.metadata.devstack] default-system`.
//! - `devstack invoke <LogicalId> -e <file> [--system SYSTEM]`: run one function with one
//!   event, as `sam local invoke -e` does, and print its answer; `<file>` may be a path or
//!   a name in the system's `events/`.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use devstack::{Stack, StackOptions, System};

#[derive(Parser)]
#[command(version, about = "Run an AWS SAM application locally: no AWS account, no Docker")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    common: Common,
}

#[derive(Subcommand)]
enum Command {
    /// Build the functions and run the whole system (the default).
    Up(Up),
    /// Invoke one function with one event file and print the response.
    Invoke(Invoke),
}

#[derive(Args, Clone)]
struct Common {
    /// The system folder (`systems/<name>`); default: the workspace's default system.
    #[arg(long, global = true)]
    system: Option<PathBuf>,
    /// Template parameter override, `Name=Value` (repeatable).
    #[arg(long = "parameter", global = true, value_name = "NAME=VALUE")]
    parameters: Vec<String>,
    /// Do not run `cargo build` first; use the binaries already in the target folder.
    #[arg(long, global = true)]
    no_build: bool,
    /// Build and run the functions in the release profile `sam build` uses (slower to
    /// build; use it for latency, throughput and init figures); default: debug.
    #[arg(long, global = true)]
    release: bool,
    /// Stack name, prefixed to physical resource names; default: the system's
    /// `samconfig.toml` `stack_name`.
    #[arg(long, global = true)]
    stack_name: Option<String>,
}

#[derive(Parser, Default)]
struct Up {
    /// The system folder, e.g. `systems/<name>` (same as `--system`).
    system: Option<PathBuf>,
    /// Port of the HTTP API.
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Port of the Lambda API (`AWS_ENDPOINT_URL_LAMBDA`) and the /_devstack endpoints.
    #[arg(long, default_value_t = 3001)]
    lambda_port: u16,
    /// Folder that keeps DynamoDB data, queued messages and stream positions across
    /// restarts; default:
    /// `.devstack/<stack-name>` in the workspace.
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Start from empty tables.
    #[arg(long)]
    fresh: bool,
    /// Forget the saved DynamoDB stream positions: every stream mapping starts again from
    /// its `StartingPosition` (the way out of a lost or torn positions file; with
    /// `TRIM_HORIZON` it replays every record still in the stream).
    #[arg(long)]
    reset_stream_positions: bool,
    /// Count DynamoDB read and write units per table in `GET /_devstack/usage`, through a
    /// metering proxy in front of the embedded DynamoDB (adds about 1.6 ms to every call;
    /// `scripts/cost.py` needs it).
    #[arg(long)]
    meter_dynamodb: bool,
    /// Concurrency limit of a function without ReservedConcurrentExecutions.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
}

#[derive(Args)]
struct Invoke {
    /// Logical id of the function in the template.
    function: String,
    /// The event file (JSON): a path, or a file name in the system's `events/`.
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

/// The workspace (from the current folder) and the system to run.
fn system(named: Option<&PathBuf>) -> anyhow::Result<(PathBuf, System)> {
    let workspace = devstack::system::workspace_of(&std::env::current_dir()?)?;
    let folder = match named {
        Some(folder) => folder.clone(),
        None => devstack::system::default_system(&workspace)?,
    };
    Ok((workspace, System::open(&folder)?))
}

fn bin_dir(workspace: &std::path::Path, system: &System, common: &Common) -> anyhow::Result<PathBuf> {
    let template = devstack::template::Template::load(system.template())?;
    let profile = if common.release { devstack::build::Profile::Release } else { devstack::build::Profile::Debug };
    if common.no_build {
        Ok(devstack::build::target_dir(workspace)?.join(profile.dir()))
    } else {
        let started = std::time::Instant::now();
        let dir = devstack::build::build(workspace, &devstack::build::binaries(&template), profile, false)?;
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
    match cli
        .command
        .unwrap_or_else(|| Command::Up(Up { port: 3000, lambda_port: 3001, concurrency: 4, ..Up::default() }))
    {
        Command::Up(up) => run_up(&common, up).await,
        Command::Invoke(invoke) => run_invoke(&common, invoke).await,
    }
}

async fn run_up(common: &Common, up: Up) -> anyhow::Result<()> {
    let (workspace, system) = system(up.system.as_ref().or(common.system.as_ref()))?;
    let bin_dir = bin_dir(&workspace, &system, common)?;
    let state_dir = up.state_dir.clone().unwrap_or_else(|| system.state_dir(&workspace));
    let started = std::time::Instant::now();
    let stack = Stack::start(StackOptions {
        template: system.template().to_owned(),
        state_dir: Some(state_dir.clone()),
        fresh: up.fresh,
        api_port: up.port,
        lambda_port: up.lambda_port,
        bin_dir,
        parameters: parameters(&common.parameters)?,
        stack_name: common.stack_name.clone().unwrap_or_else(|| system.stack_name().to_owned()),
        default_concurrency: up.concurrency,
        verbose: true,
        event_source_mappings: true,
        log_capacity: devstack::log::DEFAULT_CAPACITY,
        reset_stream_positions: up.reset_stream_positions,
        meter_dynamodb: up.meter_dynamodb,
    })
    .await?;
    println!("devstack is up in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    println!("  system        {} ({})", system.root().display(), system.stack_name());
    println!("  HTTP API      {}", stack.api_url);
    println!("  Lambda API    {}   (AWS_ENDPOINT_URL_LAMBDA)", stack.lambda_url);
    println!("  DynamoDB      {}", stack.emulators.dynamodb_url);
    println!("  SQS           {}", stack.emulators.sqs_url);
    println!("  SNS           {}", stack.emulators.sns_url);
    println!("  state         {}", state_dir.display());
    println!("  published SNS messages: {}/_devstack/sns-messages", stack.lambda_url);
    println!("press Ctrl-C to stop");
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    Ok(())
}

async fn run_invoke(common: &Common, invoke: Invoke) -> anyhow::Result<()> {
    let (workspace, system) = system(common.system.as_ref())?;
    let path = system.event(&invoke.event)?;
    let payload = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice::<serde_json::Value>(&payload).with_context(|| format!("{} is not JSON", path.display()))?;
    let bin_dir = bin_dir(&workspace, &system, common)?;
    let stack = Stack::start(StackOptions {
        template: system.template().to_owned(),
        state_dir: None,
        fresh: false,
        api_port: 0,
        lambda_port: 0,
        bin_dir,
        parameters: parameters(&common.parameters)?,
        stack_name: common.stack_name.clone().unwrap_or_else(|| system.stack_name().to_owned()),
        default_concurrency: 1,
        verbose: true,
        event_source_mappings: false,
        log_capacity: devstack::log::DEFAULT_CAPACITY,
        reset_stream_positions: false,
        meter_dynamodb: false,
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
