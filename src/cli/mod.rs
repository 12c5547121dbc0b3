//! The command line: every `pourover` subcommand's arguments (clap) and the entry points
//! that do not need the bot running. `src/main.rs` parses, loads settings and dispatches here.

pub mod pair;
pub mod round;

use std::path::PathBuf;

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
    Healthcheck {
        /// Defaults to http://127.0.0.1:<port of server.bind>/healthz.
        #[arg(long)]
        url: Option<String>,
    },
    /// Print admin figures: enrolment, participation, met rate, reach across teams, per round
    /// and with the trend since the round before.
    Stats {
        /// One program (default: every program, then all of them together).
        #[arg(long, value_name = "NAME")]
        program: Option<String>,
        /// Machine-readable output instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Write a program's rounds, groups, members and feedback as CSV, one line per group.
    ///
    /// Columns: round, members (platform user ids joined by `;`: the history format of
    /// `pourover pair`), date, round_state, group, names, teams, intros, answers (per member,
    /// in `members` order, joined by `;`), outcome, cross_team, repeat_pairs.
    Export {
        /// The program, e.g. coffee.
        #[arg(long, value_name = "NAME")]
        program: String,
        /// Where to write the CSV (replaced if it exists).
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
    },
    /// Rounds on demand: `pourover round run --program coffee [--dry-run]`.
    Round {
        #[command(subcommand)]
        action: RoundAction,
    },
    /// Plan one round from CSV files, without a chat platform or database: groups to stdout
    /// (`round,members`), a summary to stderr. Bad input: one line naming the file and
    /// line, exit code 2.
    Pair(pair::PairArgs),
    /// See Pourover work in one command, no Slack account needed: a simulated Slack company,
    /// the real bot, three rounds with time compressed, one group's DMs, the admin stats, and
    /// pourover-report.html.
    Demo(DemoArgs),
    /// Write a self-contained HTML report with charts (no network needed to open it).
    Report {
        /// Where to write the HTML file (replaced if it exists).
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
        /// One program (default: every program).
        #[arg(long, value_name = "NAME")]
        program: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RoundAction {
    /// Plan a round of a program now and send its intros (what the schedule would do).
    Run {
        /// The program, e.g. coffee.
        #[arg(long, value_name = "NAME")]
        program: String,
        /// Print the groups the round would have; save and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// People in the simulated company.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u16).range(2..=5000))]
    pub people: u16,
    /// Teams (departments) they work in.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub teams: u16,
    /// Rounds to run.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=20))]
    pub rounds: u16,
    /// Keep the demo's SQLite database in this file (default: a temporary one).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Where to write the HTML report.
    #[arg(long, value_name = "FILE.html", default_value = "pourover-report.html")]
    pub report: PathBuf,
    /// Changes who joins and what they answer.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}
