//! Building the function binaries a template names, with cargo, for the host architecture
//! (the local stack runs them on this machine): in the debug profile for quick iteration, or
//! in the release profile `sam build` uses (the workspace's `[profile.release]`) for figures.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::template::Template;

/// The `BuildProperties.Binary` of every function in the template, deduplicated.
pub fn binaries(template: &Template) -> Vec<String> {
    let mut binaries: Vec<String> = template
        .of_type("AWS::Serverless::Function")
        .filter_map(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"].as_str().map(str::to_owned))
        .collect();
    binaries.sort();
    binaries.dedup();
    binaries
}

/// The cargo profile the function binaries are built with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Profile {
    /// `dev`: quick to build, slow to run (the default).
    #[default]
    Debug,
    /// `release`: the profile `sam build` builds the deployed binaries with (for figures).
    Release,
}

impl Profile {
    /// The folder of the target directory that holds the profile's binaries.
    pub fn dir(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Release => "release",
        }
    }
}

/// Builds `binaries` in the cargo workspace at `workspace` in `profile` and returns the
/// folder that holds them (`<target>/debug` or `<target>/release`).
///
/// # Errors
/// When cargo fails or its metadata cannot be read.
pub fn build(workspace: &Path, binaries: &[String], profile: Profile, quiet: bool) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(&cargo);
    command.current_dir(workspace).arg("build");
    if profile == Profile::Release {
        command.arg("--release");
    }
    if quiet {
        command.arg("--quiet");
    }
    for binary in binaries {
        command.args(["--bin", binary]);
    }
    let status = command.status().with_context(|| format!("running {cargo} build"))?;
    if !status.success() {
        bail!("cargo build failed ({status})");
    }
    Ok(target_dir(workspace)?.join(profile.dir()))
}

/// The workspace's target directory, as cargo reports it.
///
/// # Errors
/// When `cargo metadata` fails.
pub fn target_dir(workspace: &Path) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(&cargo)
        .current_dir(workspace)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let dir = metadata["target_directory"].as_str().context("no target_directory in cargo metadata")?;
    Ok(PathBuf::from(dir))
}
