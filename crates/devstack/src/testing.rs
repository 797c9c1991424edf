//! Helpers for tests that run functions on the local stack: build the binaries once per
//! test process, and start an isolated in-memory stack per test.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::stack::{Stack, StackOptions};
use crate::template::Template;

/// The cargo workspace this crate belongs to.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root exists")
}

/// Builds every function binary of `template` in the debug profile (once per template and
/// process) and returns their folder.
///
/// # Panics
/// When the build fails: the test cannot run without the binaries.
pub fn bin_dir(template: &Path) -> PathBuf {
    bin_dir_in(template, crate::build::Profile::Debug)
}

/// Builds every function binary of `template` in `profile` (once per template, profile and
/// process) and returns their folder: the benchmarks build the release profile.
///
/// # Panics
/// When the build fails.
pub fn bin_dir_in(template: &Path, profile: crate::build::Profile) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<(PathBuf, &'static str), PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Mutex::default).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    built
        .entry((template.to_owned(), profile.dir()))
        .or_insert_with(|| {
            let parsed = Template::load(template).expect("template loads");
            crate::build::build(&workspace_root(), &crate::build::binaries(&parsed), profile, true)
                .expect("function binaries build")
        })
        .clone()
}

/// The system whose folder holds `path` (a crate's `CARGO_MANIFEST_DIR`, say).
///
/// # Panics
/// When `path` is not inside a system folder.
pub fn system_of(path: impl AsRef<Path>) -> crate::system::System {
    crate::system::system_of(path.as_ref()).expect("the path is inside a system folder")
}

/// Starts an in-memory stack of `system`'s template on free ports. Logs are printed only
/// with `TEST_LOG=1`.
///
/// # Panics
/// When the stack cannot start.
pub async fn start_stack(system: &crate::system::System, parameters: HashMap<String, String>) -> Stack {
    start_stack_of(system.template().to_owned(), parameters).await
}

/// Starts an in-memory stack of `template` on free ports, with stack name `test`.
///
/// # Panics
/// When the stack cannot start.
pub async fn start_stack_of(template: PathBuf, parameters: HashMap<String, String>) -> Stack {
    Stack::start(stack_options(template, parameters)).await.expect("local stack starts")
}

/// The options [`start_stack_of`] uses (in memory, free ports, stack name `test`), with
/// the binaries built: a test changes what it needs (a state folder, the log capacity)
/// and calls [`Stack::start`] itself.
///
/// # Panics
/// When the binaries cannot be built.
pub fn stack_options(template: PathBuf, parameters: HashMap<String, String>) -> StackOptions {
    stack_options_in(template, parameters, crate::build::Profile::Debug)
}

/// The options of [`stack_options`] with the binaries built in `profile`.
///
/// # Panics
/// When the binaries cannot be built.
pub fn stack_options_in(
    template: PathBuf,
    parameters: HashMap<String, String>,
    profile: crate::build::Profile,
) -> StackOptions {
    let bin_dir = bin_dir_in(&template, profile);
    StackOptions {
        template,
        state_dir: None,
        fresh: false,
        api_port: 0,
        lambda_port: 0,
        bin_dir,
        parameters,
        stack_name: "test".to_owned(),
        default_concurrency: 4,
        verbose: std::env::var("TEST_LOG").is_ok(),
        event_source_mappings: true,
        log_capacity: crate::log::DEFAULT_CAPACITY,
        reset_stream_positions: false,
        meter_dynamodb: false,
    }
}

/// The embedded services with every data resource of `template` created (tables,
/// queues, topics, subscriptions) and no function running: for handler tests that call a
/// handler directly against real DynamoDB, SQS and SNS emulators. Physical names are
/// `test-<LogicalId>`; see [`physical_name`].
///
/// # Panics
/// When the emulators or resources cannot be created.
pub async fn emulators_with_resources(template: &Path) -> crate::emulators::Emulators {
    let template = Template::load(template).expect("template loads");
    let emulators = crate::emulators::Emulators::start(None).await.expect("emulators start");
    let naming = crate::template::Naming {
        stack_name: "test".to_owned(),
        region: crate::emulators::REGION.to_owned(),
        sqs_url: emulators.sqs_url.clone(),
    };
    let template = crate::template::apply_conditions(template, &naming, &HashMap::new()).expect("conditions evaluate");
    let resolver = crate::template::Resolver::new(&template, &naming, &HashMap::new()).expect("parameters resolve");
    crate::resources::create_all(&emulators, &template, &resolver).await.expect("resources are created");
    emulators
}

/// The physical name the test stacks give resource `logical_id`.
pub fn physical_name(logical_id: &str) -> String {
    format!("test-{logical_id}")
}

/// Every item of the table with logical id `logical_id` in emulators made by
/// [`emulators_with_resources`], in DynamoDB JSON (`{"pk": {"S": ...}, ...}`): one `Scan` page
/// (up to 1 MB), enough for a test's table.
///
/// # Panics
/// When the table does not exist.
pub fn table_items(emulators: &crate::emulators::Emulators, logical_id: &str) -> Vec<serde_json::Value> {
    let request = serde_json::json!({ "TableName": physical_name(logical_id) });
    let page = emulators.ddb(crate::emulators::Database::scan, request).expect("the table exists");
    page["Items"].as_array().cloned().unwrap_or_default()
}
