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
/// Which packages the build selects decides the features their dependencies are compiled
/// with (cargo unifies them across the selection):
/// - [`Profile::Release`] selects the workspace's `default-members` (the functions, their
///   contracts, the platform), as `sam build`'s `cargo lambda build --bin ...` does, so the
///   binaries measured are the binaries deployed, without the features the local stack and
///   the test crates turn on;
/// - [`Profile::Debug`] selects `--workspace`, the selection `cargo test --workspace`
///   compiles the dependencies for, so the local stack reuses the tests' artifacts instead of
///   compiling the dependencies a second time.
///
/// # Errors
/// When cargo fails or its metadata cannot be read.
pub fn build(workspace: &Path, binaries: &[String], profile: Profile, quiet: bool) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(&cargo);
    command.current_dir(workspace).arg("build");
    match profile {
        Profile::Release => command.arg("--release"),
        Profile::Debug => command.arg("--workspace"),
    };
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// A release build selects the workspace's default members: every template's functions must
    /// all be among them (else `cargo build --bin <function>` finds no such binary), and the
    /// local stack and the test crates must not (else their features reach the deployed
    /// binaries).
    #[test]
    fn release_builds_select_every_function_and_not_the_local_stack() {
        let workspace = crate::testing::workspace_root();
        let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .current_dir(&workspace)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let defaults: BTreeSet<&str> =
            metadata["workspace_default_members"].as_array().unwrap().iter().filter_map(|id| id.as_str()).collect();
        let mut package_of_binary = BTreeMap::new();
        let mut default_packages = BTreeSet::new();
        for package in metadata["packages"].as_array().unwrap() {
            let name = package["name"].as_str().unwrap();
            if defaults.contains(package["id"].as_str().unwrap()) {
                default_packages.insert(name);
            }
            for target in package["targets"].as_array().unwrap() {
                if target["kind"].as_array().unwrap().iter().any(|kind| kind == "bin") {
                    package_of_binary.insert(target["name"].as_str().unwrap().to_owned(), name);
                }
            }
        }
        let mut checked = 0;
        for entry in std::fs::read_dir(workspace.join("systems")).unwrap() {
            let template = entry.unwrap().path().join("infra/template.yaml");
            if !template.exists() {
                continue;
            }
            for binary in binaries(&Template::load(&template).unwrap()) {
                let package = package_of_binary.get(&binary).unwrap_or_else(|| panic!("no package builds {binary}"));
                assert!(default_packages.contains(package), "{binary} ({package}) is not a default member");
                checked += 1;
            }
        }
        assert!(checked >= 50, "only {checked} function binaries found");
        assert!(default_packages.contains("lambda-fixture"), "the bench builds hello-world in release");
        for tool in ["devstack", "stack-test", "redrive"] {
            assert!(!default_packages.contains(tool), "{tool} is a default member");
        }
        // Nor any package that links the local stack (a system's own package, its benches).
        for package in metadata["packages"].as_array().unwrap() {
            let name = package["name"].as_str().unwrap();
            let links_the_stack = package["dependencies"].as_array().unwrap().iter().any(|dependency| {
                dependency["name"] == "devstack" && dependency["kind"].is_null()
                    || dependency["name"] == "stack-test" && dependency["kind"].is_null()
            });
            assert!(!(links_the_stack && default_packages.contains(name)), "{name} links the local stack");
        }
    }
}
