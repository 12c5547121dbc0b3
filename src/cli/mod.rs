//! The command line: every `pourover` subcommand, one module each. A module holds the
//! subcommand's arguments (`…Args`, clap), its error type and its entry point `run`;
//! `src/main.rs` parses, loads settings and dispatches here, and turns errors into exit codes.

pub mod demo;
pub mod export;
pub mod healthcheck;
pub mod migrate;
pub mod pair;
pub mod report;
pub mod round;
pub mod serve;
pub mod stats;

use std::path::PathBuf;

use crate::app::AppError;
use crate::demo::DemoError;
use crate::report::ReportError;
use crate::rounds::RoundError;
use crate::stats::StatsError;
use crate::stats::export::ExportError;
use crate::store::StoreError;

use clap::{Parser, Subcommand};

/// Pourover pairs people across teams for coffee chats, on Slack and Microsoft Teams.
///
/// Configuration comes from config/default.toml, an optional --config file, then environment
/// variables (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, POUROVER_DATABASE_URL, …); see the README.
#[derive(Debug, Parser)]
#[command(name = "pourover", version, about, long_about)]
pub struct Cli {
    /// A TOML file overriding config/default.toml (environment variables still win).
    #[arg(long, short = 'c', global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bot: HTTP endpoints (or Socket Mode), scheduler and message delivery.
    Serve,
    /// Create or upgrade the database schema, then exit. `serve` does this too.
    Migrate,
    /// Ask a running bot's /healthz whether it is healthy (exit 0) or not (exit 1). Used by
    /// the Docker HEALTHCHECK, so the image needs no curl.
    Healthcheck(healthcheck::HealthcheckArgs),
    /// Print admin figures: enrolment, participation, met rate, reach across teams, per round
    /// and with the trend since the round before.
    Stats(stats::StatsArgs),
    /// Write a program's rounds, groups, members and feedback as CSV, one line per group.
    ///
    /// Columns: round, members (platform user ids joined by `;`: the history format of
    /// `pourover pair`), date, round_state, group, names, teams, intros, answers (per member,
    /// in `members` order, joined by `;`), outcome, cross_team, repeat_pairs.
    Export(export::ExportArgs),
    /// Rounds on demand: `pourover round run --program coffee [--dry-run]`.
    Round(round::RoundArgs),
    /// Plan one round from CSV files, without a chat platform or database: groups to stdout
    /// (`round,members`), a summary to stderr. Bad input: one line naming the file and
    /// line, exit code 2.
    Pair(pair::PairArgs),
    /// See Pourover work in one command, no Slack account needed: a simulated Slack company,
    /// the real bot, three rounds with time compressed, one group's DMs, the admin stats, and
    /// pourover-report.html.
    Demo(demo::DemoArgs),
    /// Write a self-contained HTML report with charts (no network needed to open it).
    Report(report::ReportArgs),
}

/// Why a subcommand failed. [`CliError::is_user_mistake`] tells a mistake in what was typed
/// (shown as one line) from a failure of the bot (logged with its causes).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("migrating the database")]
    Migrate(#[source] StoreError),
    #[error("cannot reach {url}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url} answered {status}")]
    Unhealthy {
        url: String,
        status: reqwest::StatusCode,
    },
    #[error(transparent)]
    Stats(#[from] StatsError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Round(#[from] RoundError),
    #[error(transparent)]
    Demo(#[from] DemoError),
    /// The command cannot do what was asked, and says why.
    #[error("{0}")]
    Refused(String),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// Mistakes in what was typed (unknown program, nothing configured), not bot failures.
    pub fn is_user_mistake(&self) -> bool {
        match self {
            CliError::Stats(err) => err.is_user_mistake(),
            CliError::Export(err) => err.is_user_mistake(),
            CliError::Report(err) => err.is_user_mistake(),
            CliError::Refused(_) => true,
            _ => false,
        }
    }
}
