//! `pourover report --out FILE.html [--program NAME]`: one self-contained HTML file with charts.

use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use crate::app::open_store;
use crate::clock::Clock;
use crate::report;
use crate::settings::Settings;

#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Where to write the HTML file (replaced if it exists).
    #[arg(long, value_name = "FILE.html")]
    pub out: PathBuf,
    /// One program (default: every program).
    #[arg(long, value_name = "NAME")]
    pub program: Option<String>,
}

pub async fn run(
    settings: &Settings,
    args: &ReportArgs,
    clock: &Clock,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let store = open_store(settings).await?;
    let result =
        report::write_report(&store, args.program.as_deref(), &args.out, clock.now()).await;
    store.close().await;
    result?;
    writeln!(out, "wrote {}", args.out.display())?;
    Ok(())
}
