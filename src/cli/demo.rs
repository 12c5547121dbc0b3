//! `pourover demo`: a simulated Slack company, the real bot, rounds with time compressed, one
//! group's DMs, the admin stats and an HTML report. The demo brings its own simulated Slack
//! and settings; it ignores the environment's.

use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use crate::demo::{self, DemoOptions};

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

pub async fn run(args: &DemoArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let options = DemoOptions {
        people: usize::from(args.people),
        teams: usize::from(args.teams),
        rounds: usize::from(args.rounds),
        database: args.db.clone(),
        report: args.report.clone(),
        seed: args.seed,
    };
    demo::run(&options, out).await?;
    Ok(())
}
