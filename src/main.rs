//! The `pourover` binary: parses the command line, loads the settings and runs the subcommand
//! from `pourover::cli`; this is the only place that turns errors into exit codes.

use std::process::ExitCode;

use clap::Parser;

use pourover::cli::{self, Cli, CliError, Command};
use pourover::clock::Clock;
use pourover::settings::{LogFormat, Settings, SettingsSources};
use pourover::telemetry;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        // `pair` works on CSV files alone: no configuration, database or async runtime.
        Command::Pair(args) => {
            let code = cli::pair::run(&args, &mut std::io::stdout(), &mut std::io::stderr());
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        // The demo brings its own simulated Slack and settings; it ignores the environment's.
        Command::Demo(args) => {
            telemetry::init_with_default(LogFormat::Text, "warn");
            let Some(runtime) = runtime() else {
                return ExitCode::FAILURE;
            };
            match runtime.block_on(cli::demo::run(&args, &mut std::io::stdout())) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("pourover demo: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        command => {
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
            telemetry::init(settings.server.log_format);
            let Some(runtime) = runtime() else {
                return ExitCode::FAILURE;
            };
            match runtime.block_on(run(command, settings)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) if err.is_user_mistake() => {
                    eprintln!("pourover: {err}");
                    ExitCode::FAILURE
                }
                Err(err) => {
                    let err = anyhow::Error::new(err);
                    tracing::error!("{err:#}");
                    eprintln!("pourover: {err:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => Some(runtime),
        Err(err) => {
            eprintln!("pourover: cannot start the async runtime: {err}");
            None
        }
    }
}

async fn run(command: Command, settings: Settings) -> Result<(), CliError> {
    let out = &mut std::io::stdout();
    let clock = Clock::system();
    match command {
        Command::Serve => cli::serve::run(settings).await,
        Command::Migrate => cli::migrate::run(&settings, out).await,
        Command::Healthcheck(args) => cli::healthcheck::run(&settings, &args, out).await,
        Command::Stats(args) => cli::stats::run(&settings, &args, &clock, out).await,
        Command::Export(args) => cli::export::run(&settings, &args, out).await,
        Command::Report(args) => cli::report::run(&settings, &args, &clock, out).await,
        Command::Round(args) => cli::round::run(&settings, &args, out).await,
        // Answered in main() before the settings are loaded.
        Command::Pair(_) | Command::Demo(_) => Ok(()),
    }
}
