//! Shared by integration tests: every test gets its own temp database and port; nothing
//! waits by sleeping blindly — `eventually` polls a condition until a deadline.

#![allow(dead_code)] // each test binary uses its own subset

pub mod process;
pub mod rounds;
pub mod serve_slack;

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::time::Duration;

use pourover::settings::{Settings, SettingsSources};

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

/// Polls `check` until it returns Some, or panics after `timeout` naming `what`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The real bot against the Slack simulator.
pub mod harness;
