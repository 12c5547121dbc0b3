//! `pourover serve`: the bot, until Ctrl-C or SIGTERM.

use super::CliError;
use crate::app::RunningApp;
use crate::settings::Settings;

pub async fn run(settings: Settings) -> Result<(), CliError> {
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
