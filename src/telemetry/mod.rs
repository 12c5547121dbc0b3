//! What the bot tells its operators: structured logs through `tracing` (verbosity from
//! `RUST_LOG`, text or JSON format) and Prometheus [`metrics`].

pub mod metrics;

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::settings::LogFormat;

/// Installs the global subscriber. Safe to call more than once (later calls do nothing),
/// which keeps tests that start several apps simple.
pub fn init(format: LogFormat) {
    init_with_default(format, "info,sqlx=warn,hyper_util=warn");
}

/// Like [`init`], with another verbosity when `RUST_LOG` is not set (the demo narrates on
/// stdout and keeps stderr for warnings).
pub fn init_with_default(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for people at a terminal; log collectors get plain text.
        .with_ansi(std::io::stderr().is_terminal());
    let _already_set = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
