//! `pourover healthcheck [--url URL]`: asks a running bot's `/healthz` whether it is healthy.
//! The Docker HEALTHCHECK runs it, so the image needs no curl.

use std::io::Write;
use std::time::Duration;

use super::CliError;
use crate::settings::Settings;

#[derive(Debug, Clone, clap::Args)]
pub struct HealthcheckArgs {
    /// Defaults to http://127.0.0.1:<port of server.bind>/healthz.
    #[arg(long)]
    pub url: Option<String>,
}

/// How long an unhealthy bot may take to answer before it counts as down.
const TIMEOUT: Duration = Duration::from_secs(5);

pub async fn run(
    settings: &Settings,
    args: &HealthcheckArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let url = args
        .url
        .clone()
        .unwrap_or_else(|| format!("http://127.0.0.1:{}/healthz", settings.server.bind.port()));
    let response = match reqwest::Client::new()
        .get(&url)
        .timeout(TIMEOUT)
        .send()
        .await
    {
        Ok(response) => response,
        Err(source) => return Err(CliError::Unreachable { url, source }),
    };
    if !response.status().is_success() {
        return Err(CliError::Unhealthy {
            url,
            status: response.status(),
        });
    }
    writeln!(out, "healthy")?;
    Ok(())
}
