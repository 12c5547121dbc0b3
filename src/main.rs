//! The `pourover` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use pourover::app::{RunningApp, open_store};
use pourover::settings::{Settings, SettingsSources};

/// Pourover pairs people across teams for coffee chats, on Slack and Microsoft Teams.
///
/// Configuration comes from config/default.toml, an optional --config file, then environment
/// variables (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, POUROVER_DATABASE_URL, …); see the README.
#[derive(Debug, Parser)]
#[command(name = "pourover", version, about, long_about)]
struct Cli {
    /// A TOML file overriding config/default.toml (environment variables still win).
    #[arg(long, short = 'c', global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(SettingsSources {
        base_dir: Some(std::path::Path::new(".")),
        config_file: cli.config.as_deref(),
    }) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("pourover: {err}");
            return ExitCode::from(2);
        }
    };
    pourover::telemetry::init(settings.server.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("pourover: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("pourover: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            let store = open_store(&settings)
                .await
                .context("migrating the database")?;
            store.close().await;
            println!("database at {} is up to date", settings.database.url);
            Ok(())
        }
        Command::Healthcheck { url } => {
            let url = url.unwrap_or_else(|| {
                format!("http://127.0.0.1:{}/healthz", settings.server.bind.port())
            });
            let response = reqwest::Client::new()
                .get(&url)
                .timeout(std::time::Duration::from_secs(5))
                .send()
                .await
                .with_context(|| format!("cannot reach {url}"))?;
            anyhow::ensure!(
                response.status().is_success(),
                "{url} answered {}",
                response.status()
            );
            println!("healthy");
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = RunningApp::start(settings).await?;
    shutdown_signal().await;
    tracing::info!("shutting down");
    app.shutdown().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM (what `docker stop` and Kubernetes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
