//! `pourover stats [--program NAME] [--json]`: the admin figures on stdout.

use std::io::Write;

use super::CliError;
use crate::app::open_store;
use crate::clock::Clock;
use crate::settings::Settings;
use crate::stats::{self, OutputFormat};

#[derive(Debug, Clone, clap::Args)]
pub struct StatsArgs {
    /// One program (default: every program, then all of them together).
    #[arg(long, value_name = "NAME")]
    pub program: Option<String>,
    /// Machine-readable output instead of tables.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(
    settings: &Settings,
    args: &StatsArgs,
    clock: &Clock,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let store = open_store(settings).await?;
    let format = if args.json {
        OutputFormat::Json
    } else {
        OutputFormat::Text
    };
    let result = stats::render_stats(&store, args.program.as_deref(), format, clock.now()).await;
    store.close().await;
    write!(out, "{}", result?)?;
    Ok(())
}
