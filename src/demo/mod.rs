//! `pourover demo`: Pourover at work in one command, without a Slack account. It starts the
//! local Slack simulator with a generated company and the real bot against it (HTTP mode),
//! has people opt in through signed `/coffee join` commands, runs rounds with time
//! compressed (intros, nudges, closing prompts, simulated button presses), then prints one
//! group's DMs and the admin stats and writes the HTML report. Everything goes through the
//! same code paths as production: signed HTTP from "Slack", the scheduler, the outbox worker.

mod people;
mod run;
mod transcript;

use std::path::PathBuf;

pub use run::run;

use crate::app::AppError;
use crate::report::ReportError;
use crate::rounds::RoundError;
use crate::settings::SettingsError;
use crate::stats::StatsError;
use crate::store::StoreError;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// People in the generated company.
    pub people: usize,
    /// Departments they are spread across.
    pub teams: usize,
    pub rounds: usize,
    /// Keep the SQLite file here; None: a temporary file, removed afterwards.
    pub database: Option<PathBuf>,
    pub report: PathBuf,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            people: 60,
            teams: 8,
            rounds: 3,
            database: None,
            report: PathBuf::from("pourover-report.html"),
            seed: 42,
        }
    }
}

/// What happened, for tests and the summary.
#[derive(Debug, Clone)]
pub struct DemoOutcome {
    pub joined: usize,
    pub rounds: Vec<DemoRound>,
    pub report: PathBuf,
}

#[derive(Debug, Clone)]
pub struct DemoRound {
    pub seq: i64,
    pub groups: Vec<DemoGroup>,
}

#[derive(Debug, Clone)]
pub struct DemoGroup {
    /// Slack user ids.
    pub members: Vec<String>,
    pub conversation: String,
    /// Messages in the conversation carrying this group's intro key (exactly one if all is
    /// well).
    pub intros_posted: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the Slack simulator: {0}")]
    Simulator(#[from] pourover_simulator::SimError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Round(#[from] RoundError),
    #[error(transparent)]
    Stats(#[from] StatsError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
    /// Something the demo waited for did not happen (a bug worth reporting).
    #[error("the demo got stuck: {0}")]
    Stuck(String),
}
