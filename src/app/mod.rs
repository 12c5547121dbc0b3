//! Wiring: database, chat platforms, router, background tasks and shutdown. The only place
//! (with `main.rs`) where concrete pieces are put together.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tokio_util::task::TaskTracker;

use self::http::HttpState;
use crate::bot::ExportLinks;
use crate::bot::{Bot, BotAdminBackend, BotConfig, Inbound};
use crate::chat::ChatDirectory;
use crate::clock::Clock;
use crate::commands::ProgramDefaults;
use crate::delivery::{DeliveryWorker, RetryPolicy};
use crate::domain::{GroupSize, ProgramSettings};
use crate::roster::RosterPolicy;
use crate::rounds::{RoundConfig, RoundPlanner};
use crate::schedule::Scheduler;
use crate::settings::{RoundSettings, Settings};
use crate::store::{Store, StoreError, StoreOptions};
use crate::telemetry::metrics::Metrics;

pub mod http;
mod platforms;

pub use platforms::connect_chats;
use platforms::connect_platforms;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("HTTP server failed: {0}")]
    Serve(std::io::Error),
    #[error("invalid setting: {0}")]
    Config(String),
    #[error(transparent)]
    Slack(#[from] crate::chat::slack::SlackStartError),
}

/// Opens the configured database and brings its schema up to date.
pub async fn open_store(settings: &Settings) -> Result<Store, StoreError> {
    let store = Store::connect(&StoreOptions {
        url: settings.database.url.clone(),
        max_connections: settings.database.max_connections,
        busy_timeout: Duration::from_millis(settings.database.busy_timeout_ms),
    })
    .await?;
    store.migrate().await?;
    Ok(store)
}

/// What a caller may choose besides settings (the demo and tests move the clock).
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    pub clock: Clock,
}

/// Everything the core needs, built from settings; shared by `serve`, `round run` and tests.
#[derive(Debug, Clone)]
pub struct Core {
    pub store: Store,
    pub metrics: Metrics,
    pub clock: Clock,
    pub chats: ChatDirectory,
    pub planner: RoundPlanner,
    pub delivery: DeliveryWorker,
    pub scheduler: Scheduler,
    pub bot: Bot,
    pub exports: ExportLinks,
}

impl Core {
    pub fn new(
        settings: &Settings,
        store: Store,
        chats: ChatDirectory,
        clock: Clock,
    ) -> Result<Self, AppError> {
        Self::with_metrics(settings, store, chats, clock, Metrics::new())
    }

    /// Like `new`, sharing `metrics` with chat clients built before the core (they count
    /// their calls in it).
    pub fn with_metrics(
        settings: &Settings,
        store: Store,
        chats: ChatDirectory,
        clock: Clock,
        metrics: Metrics,
    ) -> Result<Self, AppError> {
        let policy = RosterPolicy {
            enroll_guests: settings.slack.enroll_guests,
        };
        let rounds = &settings.rounds;
        let program_settings = program_defaults(rounds)?;
        crate::domain::Schedule::parse(&rounds.default_cron, "UTC")
            .map_err(|err| AppError::Config(format!("rounds.default_cron: {err}")))?;
        let planner = RoundPlanner::new(
            store.clone(),
            RoundConfig {
                icebreakers: rounds.icebreakers.clone(),
                policy,
                ghost_pause_after: rounds.ghost_pause_after,
            },
            metrics.clone(),
        );
        let delivery = DeliveryWorker::new(
            store.clone(),
            chats.clone(),
            RetryPolicy {
                max_attempts: settings.delivery.max_attempts,
                base: Duration::from_millis(settings.delivery.backoff_base_ms),
                max: Duration::from_millis(settings.delivery.backoff_max_ms),
            },
            Duration::from_secs(settings.delivery.lease_seconds),
            clock.clone(),
        );
        let wake: Arc<Notify> = delivery.waker();
        let scheduler = Scheduler::new(
            store.clone(),
            planner.clone(),
            chats.clone(),
            clock.clone(),
            chrono::Duration::hours(i64::from(rounds.catch_up_grace_hours)),
            wake.clone(),
        );
        let exports = ExportLinks::new(settings.server.public_url.clone());
        let backend = BotAdminBackend::new(
            store.clone(),
            planner.clone(),
            chats.clone(),
            clock.clone(),
            wake,
            exports.clone(),
        );
        let bot = Bot::new(
            store.clone(),
            BotConfig {
                extra_admins: settings.admins.clone(),
                policy,
                defaults: ProgramDefaults {
                    cron: rounds.default_cron.clone(),
                    settings: program_settings,
                },
            },
            backend,
            clock.clone(),
        );
        Ok(Self {
            store,
            metrics,
            clock,
            chats,
            planner,
            delivery,
            scheduler,
            bot,
            exports,
        })
    }
}

/// A bot serving on a socket, until [`RunningApp::shutdown`].
#[derive(Debug)]
pub struct RunningApp {
    addr: SocketAddr,
    core: Core,
    stop: watch::Sender<bool>,
    server: JoinHandle<Result<(), AppError>>,
    tasks: Vec<JoinHandle<()>>,
    /// Inbound work still running after its request was answered.
    inbound_work: TaskTracker,
}

/// What a new program starts with, from the `[rounds]` settings.
fn program_defaults(rounds: &RoundSettings) -> Result<ProgramSettings, AppError> {
    let group_size = GroupSize::new(i64::from(rounds.group_size))
        .map_err(|err| AppError::Config(format!("rounds.group_size: {err}")))?;
    Ok(ProgramSettings {
        group_size,
        lookback_rounds: rounds.lookback_rounds,
        nudge_after_hours: rounds.nudge_after_hours,
        close_after_hours: rounds.close_after_hours,
    })
}

/// How long shutdown waits for inbound work (a command, an event, a press) to finish.
const INBOUND_DRAIN: Duration = Duration::from_secs(10);
/// How often channel-bound programs are reconciled with their channels.
const CHANNEL_SYNC_PERIOD: Duration = Duration::from_secs(24 * 3600);
/// How often the roster upkeep looks for profiles to refresh.
const ROSTER_UPKEEP_PERIOD: Duration = Duration::from_secs(60);
/// Profiles older than this are read again in the background.
const PROFILE_REFRESH_AGE: chrono::Duration = chrono::Duration::days(7);
/// At most this many profile reads per pass, so a big workspace is refreshed gradually.
const PROFILES_PER_PASS: u32 = 100;

impl RunningApp {
    pub async fn start(settings: Settings) -> Result<Self, AppError> {
        Self::start_with(settings, AppOptions::default()).await
    }

    /// Starts everything the settings ask for. Binding port 0 picks a free port; see
    /// [`RunningApp::local_addr`].
    pub async fn start_with(settings: Settings, options: AppOptions) -> Result<Self, AppError> {
        let store = open_store(&settings).await?;
        let metrics = Metrics::new();
        // Platforms are connected before the core is built: its parts keep their own
        // copies of the directory.
        let platforms = connect_platforms(&settings, &store, &metrics).await?;
        let directory = platforms.directory.clone();
        let core = Core::with_metrics(&settings, store.clone(), directory, options.clock, metrics)?;
        let inbound_work = TaskTracker::new();
        let inbound = platforms.inbound(&settings, &core, &inbound_work).await?;
        let listener = TcpListener::bind(settings.server.bind)
            .await
            .map_err(|source| AppError::Bind {
                addr: settings.server.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(AppError::Serve)?;
        let router = http::router(
            HttpState {
                store: store.clone(),
                metrics: core.metrics.clone(),
                exports: core.exports.clone(),
            },
            inbound.routes,
            settings.server.max_body_bytes,
        );
        let (stop, stopped) = watch::channel(false);
        let mut server_stop = stopped.clone();
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = server_stop.wait_for(|stop| *stop).await;
                })
                .await
                .map_err(AppError::Serve)
        });
        let mut tasks = vec![
            tokio::spawn(
                core.delivery
                    .clone()
                    .run(settings.delivery.workers, stopped.clone()),
            ),
            tokio::spawn(core.scheduler.clone().run(
                Duration::from_secs(settings.rounds.tick_seconds),
                stopped.clone(),
            )),
            tokio::spawn(roster_upkeep(core.clone(), stopped.clone())),
        ];
        if let Some(socket_mode) = inbound.socket_mode {
            let mut stop = stopped;
            tasks.push(tokio::spawn(async move {
                let _ = stop.wait_for(|stop| *stop).await;
                socket_mode.shutdown().await;
            }));
        }
        tracing::info!(%addr, "listening");
        Ok(Self {
            addr,
            core,
            stop,
            server,
            tasks,
            inbound_work,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn store(&self) -> &Store {
        &self.core.store
    }

    pub fn core(&self) -> &Core {
        &self.core
    }

    /// Stops accepting requests, lets in-flight ones and background work finish, then
    /// closes the database.
    pub async fn shutdown(self) -> Result<(), AppError> {
        let _ = self.stop.send(true);
        let result = match self.server.await {
            Ok(result) => result,
            Err(join) => Err(AppError::Serve(std::io::Error::other(join))),
        };
        for task in self.tasks {
            let _ = task.await;
        }
        // Nothing new arrives now; let acknowledged presses and events finish, within reason.
        self.inbound_work.close();
        if tokio::time::timeout(INBOUND_DRAIN, self.inbound_work.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                unfinished = self.inbound_work.len(),
                "stopping with inbound work still running"
            );
        }
        self.core.store.close().await;
        result
    }
}

/// Channel-bound programs follow their channels through events; the daily sync catches what
/// events missed (the bot was down, an event was lost). Between syncs, profiles that were
/// never read in full (people found by listing a channel's users: Slack leaves their team
/// out of the list) or not for a week are read again, a few at a time.
async fn roster_upkeep(core: Core, mut stop: watch::Receiver<bool>) {
    let mut last_sync: Option<tokio::time::Instant> = None;
    while !*stop.borrow() {
        let sync_due = last_sync.is_none_or(|at| at.elapsed() >= CHANNEL_SYNC_PERIOD);
        for workspace in core.chats.workspaces().collect::<Vec<_>>() {
            let Some(chat) = core.chats.get(workspace) else {
                continue;
            };
            let at = Inbound {
                workspace,
                chat: chat.as_ref(),
            };
            if sync_due && let Err(err) = core.bot.sync_channels(at).await {
                tracing::warn!(error = %err, "channel reconciliation failed");
            }
            let stale = core.clock.now() - PROFILE_REFRESH_AGE;
            match crate::roster::refresh_stale_profiles(
                &core.store,
                chat.as_ref(),
                workspace,
                stale,
                PROFILES_PER_PASS,
            )
            .await
            {
                Ok(0) => {}
                Ok(refreshed) => tracing::info!(refreshed, "profiles refreshed"),
                Err(err) => tracing::warn!(error = %err, "profile refresh failed"),
            }
        }
        if sync_due {
            last_sync = Some(tokio::time::Instant::now());
            let cutoff = core.clock.now() - chrono::Duration::days(2);
            if let Err(err) = core.store.prune_processed_events(cutoff).await {
                tracing::warn!(error = %err, "could not prune processed events");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(ROSTER_UPKEEP_PERIOD) => {}
            _ = stop.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::SettingsSources;

    #[test]
    fn the_shipped_round_settings_are_the_program_settings_default() {
        let settings = Settings::load_with_env(SettingsSources::default(), &|_| None).unwrap();
        assert_eq!(
            program_defaults(&settings.rounds).unwrap(),
            ProgramSettings::default()
        );
    }
}
