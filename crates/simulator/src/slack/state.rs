//! The state every part of the simulator shares.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

use crate::clock::SimClock;
use crate::http_server::ShutdownSignal;
use crate::sync::lock;

use super::company::AppIdentity;
use super::config::SlackSimConfig;
use super::faults::Faults;
use super::rate_limit::RateLimiter;
use super::recorder::Journal;
use super::socket_mode::SocketModeHub;
use super::workspace::Workspace;

/// The workspace and the journal share one lock so a handler's effect and its record
/// are always seen together.
pub(crate) struct World {
    pub workspace: Workspace,
    pub journal: Journal,
}

pub(crate) struct SimState {
    pub config: SlackSimConfig,
    pub identity: AppIdentity,
    pub clock: SimClock,
    pub world: Mutex<World>,
    pub faults: Faults,
    pub rate_limiter: Mutex<RateLimiter>,
    rate_limits_enabled: AtomicBool,
    /// Bumped on every change, so waiters re-check instead of sleeping.
    pub changes: watch::Sender<u64>,
    pub socket_mode: SocketModeHub,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    pub shutdown: ShutdownSignal,
}

impl SimState {
    pub(crate) fn new(
        config: SlackSimConfig,
        identity: AppIdentity,
        clock: SimClock,
        workspace: Workspace,
        base_url: String,
        shutdown: ShutdownSignal,
    ) -> Self {
        let rate_limits = config.rate_limits;
        Self {
            config,
            identity,
            clock,
            world: Mutex::new(World {
                workspace,
                journal: Journal::default(),
            }),
            faults: Faults::default(),
            rate_limiter: Mutex::new(RateLimiter::default()),
            rate_limits_enabled: AtomicBool::new(rate_limits),
            changes: watch::channel(0).0,
            socket_mode: SocketModeHub::default(),
            base_url,
            shutdown,
        }
    }

    /// Runs `change` under the world lock and wakes everyone waiting for a change.
    pub(crate) fn change<T>(&self, change: impl FnOnce(&mut World) -> T) -> T {
        let result = change(&mut lock(&self.world));
        self.changes.send_modify(|generation| *generation += 1);
        result
    }

    pub(crate) fn rate_limits_enabled(&self) -> bool {
        self.rate_limits_enabled.load(Ordering::Relaxed)
    }

    pub(crate) fn set_rate_limits_enabled(&self, enabled: bool) {
        self.rate_limits_enabled.store(enabled, Ordering::Relaxed);
    }

    pub(crate) fn now(&self) -> i64 {
        SimClock::unix_seconds()
    }
}
