//! The `pourover` command line: a thin layer over the library.

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use chrono::Utc;
use pourover::app::{RunningApp, open_store};
use pourover::cli::{Cli, Command, DemoArgs, RoundAction};
use pourover::export::ExportError;
use pourover::report::ReportError;
use pourover::settings::{Settings, SettingsSources};
use pourover::stats::{self, OutputFormat, StatsError};

/// Runs `pourover demo`.
fn demo(args: &DemoArgs) -> ExitCode {
    pourover::telemetry::init_with_default(pourover::settings::LogFormat::Text, "warn");
    let options = pourover::demo::DemoOptions {
        people: usize::from(args.people),
        teams: usize::from(args.teams),
        rounds: usize::from(args.rounds),
        database: args.db.clone(),
        report: args.report.clone(),
        seed: args.seed,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("pourover: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    match runtime.block_on(pourover::demo::run(&options, &mut stdout)) {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pourover demo: {err}");
            ExitCode::FAILURE
        }
    }
}

/// A mistake in what the user typed (say, a program that does not exist): shown as one line,
/// without an error log around it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UserMistake(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `pair` works on CSV files alone: no configuration, database or async runtime.
    if let Command::Pair(args) = &cli.command {
        let code = pourover::cli::pair::run(args, &mut std::io::stdout(), &mut std::io::stderr());
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    // The demo brings its own simulated Slack and settings; it ignores the environment's.
    if let Command::Demo(args) = &cli.command {
        return demo(args);
    }
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
        Err(err) if err.is::<UserMistake>() => {
            eprintln!("pourover: {err}");
            ExitCode::FAILURE
        }
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
        Command::Stats { program, json } => {
            let store = open_store(&settings).await?;
            let format = if json {
                OutputFormat::Json
            } else {
                OutputFormat::Text
            };
            let result = stats::stats_command(&store, program.as_deref(), format, Utc::now()).await;
            store.close().await;
            print!("{}", user_facing(result, StatsError::is_user_mistake)?);
            Ok(())
        }
        Command::Export { program, out } => {
            let store = open_store(&settings).await?;
            let result = pourover::export::export_command(&store, &program, &out).await;
            store.close().await;
            let groups = user_facing(result, ExportError::is_user_mistake)?;
            println!(
                "wrote {groups} groups of program {program} to {}",
                out.display()
            );
            Ok(())
        }
        Command::Report { out, program } => {
            let store = open_store(&settings).await?;
            let result =
                pourover::report::report_command(&store, program.as_deref(), &out, Utc::now())
                    .await;
            store.close().await;
            user_facing(result, ReportError::is_user_mistake)?;
            println!("wrote {}", out.display());
            Ok(())
        }
        // Answered in main() before the configuration is loaded.
        Command::Pair(_) | Command::Demo(_) => Ok(()),
        Command::Round {
            action: RoundAction::Run { program, dry_run },
        } => {
            let mut stdout = std::io::stdout();
            let result = pourover::cli::round::run(&settings, &program, dry_run, &mut stdout).await;
            user_facing(result, pourover::cli::round::RoundCliError::is_user_mistake)
        }
    }
}

/// Turns a typing mistake into a [`UserMistake`]; anything else stays an error with context.
fn user_facing<T, E>(result: Result<T, E>, is_mistake: fn(&E) -> bool) -> anyhow::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    result.map_err(|err| {
        if is_mistake(&err) {
            anyhow::Error::new(UserMistake(err.to_string()))
        } else {
            anyhow::Error::new(err)
        }
    })
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
