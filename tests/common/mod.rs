//! Shared by integration tests: every test gets its own temp database and port; nothing
//! waits by sleeping blindly — `eventually` polls a condition until a deadline.

#![allow(dead_code)] // each test binary uses its own subset

mod poll;
pub mod process;
pub mod rounds;
pub mod serve_slack;

use std::collections::HashMap;
use std::path::Path;

use pourover::domain::{Platform, Program, ProgramName, ProgramSettings};
use pourover::settings::{Settings, SettingsSources};
use pourover::store::{NewProgram, Store};

/// Settings for a bot on a random loopback port with its own SQLite file in `dir`.
pub fn settings_in(dir: &Path, extra: &[(&str, &str)]) -> Settings {
    let mut env: HashMap<String, String> = HashMap::from([
        (
            "POUROVER_DATABASE_URL".to_string(),
            format!("sqlite://{}", dir.join("pourover.db").display()),
        ),
        ("POUROVER_BIND".to_string(), "127.0.0.1:0".to_string()),
    ]);
    for (key, value) in extra {
        env.insert(key.to_string(), value.to_string());
    }
    Settings::load_with_env(SettingsSources::default(), &|name| env.get(name).cloned())
        .expect("test settings are valid")
}

#[allow(unused_imports)] // as dead_code above: not every test binary polls
pub use poll::eventually;

/// The real bot against the Slack simulator.
pub mod harness;

/// A Slack workspace `T1` with an unscheduled program `name` of pairs, written straight to
/// the store (for tests about what happens once a program exists).
pub async fn program_in_store(store: &Store, name: &str) -> Program {
    let workspace = store
        .upsert_workspace(Platform::Slack, "T1", "Acme")
        .await
        .expect("a workspace");
    program_in_workspace(store, workspace, name).await
}

/// An unscheduled program `name` of pairs in `workspace`, written straight to the store.
pub async fn program_in_workspace(
    store: &Store,
    workspace: pourover::domain::WorkspaceId,
    name: &str,
) -> Program {
    let name = ProgramName::parse(name).expect("a valid program name");
    store
        .create_program(NewProgram {
            workspace,
            name: &name,
            channel_id: None,
            schedule: None,
            settings: ProgramSettings::default(),
            created_by: None,
        })
        .await
        .expect("the program is stored")
        .expect("the program is new")
}
