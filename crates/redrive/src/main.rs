//! `redrive`: see and redrive a SAM application's dead letters, on AWS or on the local stack.
//!
//! ```text
//! redrive [--system systems/<name>] [--local] list
//! redrive show <QueueLogicalId> [--max 10]
//! redrive move <DlqLogicalId> [--to <SourceLogicalId>] [--max N] [--portable]
//! redrive republish --function <RelayFunctionLogicalId>
//! redrive purge <StreamFailureQueueLogicalId>
//! ```
//!
//! On AWS (the default) it uses the standard AWS configuration (`AWS_PROFILE`,
//! `AWS_REGION`, `AWS_ENDPOINT_URL[_SQS]`, ...) and finds physical ids through CloudFormation
//! (the stack named by the system's `samconfig.toml`, or `--stack-name`). With `--local` it
//! asks the running local stack (`cargo run -p devstack`) for its endpoints.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use redrive::{MoveMethod, MoveOutcome, Target};

/// See and redrive the dead letters of a SAM application.
#[derive(Debug, Parser)]
#[command(name = "redrive", version)]
struct Cli {
    /// System folder (with `infra/template.yaml` and `samconfig.toml`); default: the
    /// workspace's default system (with `--local`: the template the local stack runs).
    #[arg(long, global = true)]
    system: Option<PathBuf>,
    /// Act on the running local stack instead of AWS.
    #[arg(long, global = true)]
    local: bool,
    /// The local stack's control API (with `--local`).
    #[arg(long, global = true, env = "DEVSTACK_URL", default_value = redrive::target::DEFAULT_DEVSTACK_URL)]
    devstack_url: String,
    /// CloudFormation stack name on AWS; default: the system's `samconfig.toml` `stack_name`.
    #[arg(long, global = true)]
    stack_name: Option<String>,
    /// `LogicalId=PhysicalId` (a queue URL, a function name): use it instead of looking it up.
    #[arg(long = "resource", global = true, value_parser = parse_resource)]
    resources: Vec<(String, String)>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Every dead-letter queue with its depth, the age of its oldest message and its source.
    List,
    /// A queue's messages, left in the queue.
    Show {
        /// The queue's logical id.
        queue: String,
        /// Most messages to show.
        #[arg(long, default_value_t = 10)]
        max: usize,
    },
    /// Moves a dead-letter queue's messages back to its source queue.
    Move {
        /// The dead-letter queue's logical id.
        dlq: String,
        /// The source queue's logical id (needed when it has several).
        #[arg(long)]
        to: Option<String>,
        /// Most messages to move (implies --portable).
        #[arg(long)]
        max: Option<u64>,
        /// Move one message at a time instead of with an SQS message move task.
        #[arg(long)]
        portable: bool,
    },
    /// Empties a queue of stream failure records (after `republish`); refuses a queue of events.
    Purge {
        /// The queue's logical id.
        queue: String,
    },
    /// Makes an outbox relay function publish every item still unpublished.
    Republish {
        /// The relay function's logical id.
        #[arg(long)]
        function: String,
    },
}

fn parse_resource(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(logical, physical)| (logical.to_owned(), physical.to_owned()))
        .ok_or_else(|| format!("expected LogicalId=PhysicalId, got {text}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("redrive: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn target(cli: &Cli) -> anyhow::Result<Target> {
    let system = match &cli.system {
        Some(folder) => Some(devstack::System::open(folder)?),
        None if cli.local => None,
        None => {
            let workspace = devstack::system::workspace_of(&std::env::current_dir()?)?;
            Some(devstack::System::open(devstack::system::default_system(&workspace)?)?)
        }
    };
    let mut target = if cli.local {
        let endpoints = redrive::local_endpoints(&cli.devstack_url).await?;
        Target::local(&endpoints, system.as_ref().map(devstack::System::template))?
    } else {
        let system = system.ok_or_else(|| anyhow::anyhow!("name a system folder with --system"))?;
        let stack_name = cli.stack_name.clone().unwrap_or_else(|| system.stack_name().to_owned());
        Target::aws(system.template(), &stack_name).await?
    };
    for (logical, physical) in &cli.resources {
        target = target.with_physical(logical, physical);
    }
    Ok(target)
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn age(seconds: Option<i64>) -> String {
    match seconds {
        None => "-".to_owned(),
        Some(s) if s < 120 => format!("{s}s"),
        Some(s) if s < 7200 => format!("{}m", s / 60),
        Some(s) if s < 172_800 => format!("{}h", s / 3600),
        Some(s) => format!("{}d", s / 86_400),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let target = target(&cli).await?;
    match &cli.command {
        Command::List => {
            let statuses = redrive::list(&target).await?;
            if cli.json {
                return print_json(&statuses);
            }
            println!("{:<40} {:>6} {:>9} {:>7}  SOURCE", "DEAD-LETTER QUEUE", "DEPTH", "IN FLIGHT", "OLDEST");
            for status in &statuses {
                println!(
                    "{:<40} {:>6} {:>9} {:>7}  {}",
                    status.queue.logical_id,
                    status.depth,
                    status.in_flight,
                    age(status.oldest_age_seconds),
                    status.queue.source()
                );
            }
        }
        Command::Show { queue, max } => {
            let letters = redrive::show(&target, queue, *max).await?;
            if cli.json {
                return print_json(&letters);
            }
            println!("{} message(s) in {queue} (left in place)", letters.len());
            for letter in &letters {
                let summary = &letter.summary;
                let or_dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_owned());
                println!();
                println!("message {}", letter.message_id);
                println!("  sent        {}", letter.sent_at.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339()));
                println!("  receives    {}", letter.receive_count.map_or_else(|| "-".to_owned(), |c| c.to_string()));
                if let Some(failure) = &summary.stream_failure {
                    println!("  stream failure of {}", failure.function.as_deref().unwrap_or(&failure.function_arn));
                    println!("  function    {}", failure.function_arn);
                    println!("  stream      {}", or_dash(&failure.stream_arn));
                    println!("  shard       {}", or_dash(&failure.shard_id));
                    println!(
                        "  sequence    {} .. {} ({} record(s))",
                        or_dash(&failure.start_sequence_number),
                        or_dash(&failure.end_sequence_number),
                        failure.batch_size.map_or_else(|| "?".to_owned(), |n| n.to_string())
                    );
                } else {
                    println!("  event type  {}", or_dash(&summary.event_type));
                    println!("  event id    {}", or_dash(&summary.event_id));
                    println!("  correlation {}", or_dash(&summary.correlation_id));
                    if let Some(topic) = &summary.topic_arn {
                        println!("  topic       {topic}");
                    }
                }
                println!("  error       {}", summary.error.as_deref().unwrap_or("not recorded"));
                if summary == &redrive::message::Summary::default() {
                    println!("  body        {}", letter.body);
                }
            }
        }
        Command::Move { dlq, to, max, portable } => {
            let method = if *portable { MoveMethod::Portable } else { MoveMethod::Auto };
            let report = redrive::move_messages(&target, dlq, to.as_deref(), *max, method).await?;
            if cli.json {
                return print_json(&report);
            }
            match &report.outcome {
                MoveOutcome::Task { task_handle } => println!(
                    "started a message move task of {} message(s) from {} to {} (task {task_handle}); \
                     follow it with `aws sqs list-message-move-tasks`",
                    report.depth_before, report.from, report.to
                ),
                MoveOutcome::Portable { moved } => {
                    println!("moved {moved} message(s) from {} to {}", report.from, report.to);
                }
            }
        }
        Command::Purge { queue } => {
            let purged = redrive::purge_stream_failures(&target, queue).await?;
            if cli.json {
                return print_json(&serde_json::json!({ "queue": queue, "purged": purged }));
            }
            println!("purged {queue} ({purged} record(s))");
        }
        Command::Republish { function } => {
            let report = redrive::republish(&target, function).await?;
            if cli.json {
                return print_json(&report);
            }
            println!("{} swept its outbox: {}", report.function, report.response);
        }
    }
    Ok(())
}
