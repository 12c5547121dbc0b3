//! `pourover export --program NAME --out FILE.csv`: a program's history as CSV
//! (see [`crate::stats::export`] for the columns).

use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use crate::app::open_store;
use crate::settings::Settings;
use crate::stats::export;

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The program, e.g. coffee.
    #[arg(long, value_name = "NAME")]
    pub program: String,
    /// Where to write the CSV (replaced if it exists).
    #[arg(long, value_name = "FILE.csv")]
    pub out: PathBuf,
}

pub async fn run(
    settings: &Settings,
    args: &ExportArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let store = open_store(settings).await?;
    let result = export::write_program_csv(&store, &args.program, &args.out).await;
    store.close().await;
    let groups = result?;
    writeln!(
        out,
        "wrote {groups} groups of program {} to {}",
        args.program,
        args.out.display()
    )?;
    Ok(())
}
