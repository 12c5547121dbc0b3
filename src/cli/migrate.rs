//! `pourover migrate`: create or upgrade the database schema, then exit.

use std::io::Write;

use super::CliError;
use crate::app::open_store;
use crate::settings::Settings;

pub async fn run(settings: &Settings, out: &mut dyn Write) -> Result<(), CliError> {
    let store = open_store(settings).await.map_err(CliError::Migrate)?;
    store.close().await;
    writeln!(out, "database at {} is up to date", settings.database.url)?;
    Ok(())
}
