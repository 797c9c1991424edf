//! A system: one SAM application in its own folder, with the design card's shape.
//!
//! ```text
//! systems/<name>/
//!   samconfig.toml        stack_name (default: the folder's name), template_file
//!   infra/template.yaml   the template (or samconfig's template_file)
//!   events/               sample events, for `devstack invoke -e` and the tests
//! ```
//!
//! Everything the local stack needs to know about a system derives from its folder: the
//! template, the events folder, the stack name and the state folder
//! (`.devstack/<stack-name>` under the workspace root).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Where the template lives when `samconfig.toml` does not say.
pub const DEFAULT_TEMPLATE: &str = "infra/template.yaml";

/// One system's folder and what derives from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    root: PathBuf,
    template: PathBuf,
    stack_name: String,
}

impl System {
    /// Opens the system in folder `root`: reads its `samconfig.toml` (optional) for
    /// `stack_name` and `template_file`.
    ///
    /// # Errors
    /// When the folder or its template does not exist, or `samconfig.toml` is not TOML.
    pub fn open(root: impl AsRef<Path>) -> anyhow::Result<Self> {
        let root = root.as_ref();
        let root = root.canonicalize().with_context(|| format!("system folder {} does not exist", root.display()))?;
        let samconfig = root.join("samconfig.toml");
        let config: toml::Table = if samconfig.exists() {
            let text = std::fs::read_to_string(&samconfig)?;
            text.parse().with_context(|| format!("{} is not TOML", samconfig.display()))?
        } else {
            toml::Table::new()
        };
        let setting = |command: &str, name: &str| {
            config
                .get("default")
                .and_then(|d| d.get(command))
                .and_then(|c| c.get("parameters"))
                .and_then(|p| p.get(name))
                .and_then(toml::Value::as_str)
                .map(str::to_owned)
        };
        let folder_name = root.file_name().and_then(|n| n.to_str()).unwrap_or("local").to_owned();
        let stack_name =
            setting("global", "stack_name").or_else(|| setting("deploy", "stack_name")).unwrap_or(folder_name);
        let template = root.join(setting("build", "template_file").unwrap_or_else(|| DEFAULT_TEMPLATE.to_owned()));
        if !template.exists() {
            bail!("the system {} has no template at {}", root.display(), template.display());
        }
        Ok(Self { root, template, stack_name })
    }

    /// The system's folder (absolute).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Its SAM template.
    pub fn template(&self) -> &Path {
        &self.template
    }

    /// Its stack name (`samconfig.toml`'s `stack_name`, else the folder's name).
    pub fn stack_name(&self) -> &str {
        &self.stack_name
    }

    /// Its sample events folder.
    pub fn events_dir(&self) -> PathBuf {
        self.root.join("events")
    }

    /// The sample event `file`: a path as given if it exists, else relative to the system
    /// folder, else inside its `events/` folder.
    ///
    /// # Errors
    /// When none of these exists.
    pub fn event(&self, file: impl AsRef<Path>) -> anyhow::Result<PathBuf> {
        let file = file.as_ref();
        let candidates = [file.to_owned(), self.root.join(file), self.events_dir().join(file)];
        candidates.iter().find(|path| path.is_file()).cloned().with_context(|| {
            format!("no event file {} (looked as given, in {} and in its events/)", file.display(), self.root.display())
        })
    }

    /// Reads the sample event `file` (see [`System::event`]) as text.
    ///
    /// # Errors
    /// When it does not exist or cannot be read.
    pub fn event_text(&self, file: impl AsRef<Path>) -> anyhow::Result<String> {
        let path = self.event(file)?;
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    }

    /// The folder that keeps this system's local state: `<workspace>/.devstack/<stack-name>`.
    pub fn state_dir(&self, workspace: &Path) -> PathBuf {
        workspace.join(".devstack").join(&self.stack_name)
    }
}

/// The cargo workspace that holds `start` (the nearest folder upwards whose `Cargo.toml`
/// has a `[workspace]` table).
///
/// # Errors
/// When there is none.
pub fn workspace_of(start: &Path) -> anyhow::Result<PathBuf> {
    let start = start.canonicalize().with_context(|| format!("{} does not exist", start.display()))?;
    for dir in start.ancestors() {
        let manifest = dir.join("Cargo.toml");
        if manifest.is_file() {
            let table: toml::Table = std::fs::read_to_string(&manifest)?.parse()?;
            if table.contains_key("workspace") {
                return Ok(dir.to_owned());
            }
        }
    }
    bail!("{} is not inside a cargo workspace", start.display())
}

/// The system `devstack up` runs when none is named: the workspace's
/// `[workspace.metadata.devstack] default-system`, a folder relative to the workspace.
///
/// # Errors
/// When the workspace does not name one.
pub fn default_system(workspace: &Path) -> anyhow::Result<PathBuf> {
    let table: toml::Table = std::fs::read_to_string(workspace.join("Cargo.toml"))?.parse()?;
    let folder = table
        .get("workspace")
        .and_then(|w| w.get("metadata"))
        .and_then(|m| m.get("devstack"))
        .and_then(|d| d.get("default-system"))
        .and_then(toml::Value::as_str)
        .context("name a system folder, or set [workspace.metadata.devstack] default-system in Cargo.toml")?;
    Ok(workspace.join(folder))
}

/// The system folder that holds `path` (the nearest folder upwards with
/// `infra/template.yaml`), e.g. a context crate's `CARGO_MANIFEST_DIR`.
///
/// # Errors
/// When there is none.
pub fn system_of(path: &Path) -> anyhow::Result<System> {
    let path = path.canonicalize().with_context(|| format!("{} does not exist", path.display()))?;
    let root = path
        .ancestors()
        .find(|dir| dir.join(DEFAULT_TEMPLATE).is_file())
        .with_context(|| format!("{} is not inside a system folder", path.display()))?;
    System::open(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_derives_its_template_stack_events_and_state_from_its_folder() {
        let dir = std::env::temp_dir().join(format!("devstack-system-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("infra")).unwrap();
        std::fs::create_dir_all(dir.join("events")).unwrap();
        std::fs::write(dir.join("infra/template.yaml"), "Resources: {}\n").unwrap();
        std::fs::write(dir.join("events/ping.json"), "{}").unwrap();
        std::fs::write(
            dir.join("samconfig.toml"),
            "version = 0.1\n[default.global.parameters]\nstack_name = \"shop\"\n",
        )
        .unwrap();
        let system = System::open(&dir).unwrap();
        assert_eq!(system.stack_name(), "shop");
        assert!(system.template().ends_with("infra/template.yaml"));
        assert_eq!(system.event("ping.json").unwrap(), dir.canonicalize().unwrap().join("events/ping.json"));
        assert!(system.event("nope.json").is_err());
        assert_eq!(system.state_dir(Path::new("/w")), Path::new("/w/.devstack/shop"));
        assert_eq!(system_of(&dir.join("events")).unwrap(), system);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_workspace_names_a_default_system_that_opens() {
        let workspace = workspace_of(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let system = System::open(default_system(&workspace).unwrap()).unwrap();
        assert!(system.template().is_file());
        assert!(system.events_dir().is_dir());
        assert!(system.state_dir(&workspace).starts_with(workspace.join(".devstack")));
    }
}
