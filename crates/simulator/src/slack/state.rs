//! The state every part of the simulator shares.

use std::collections::HashMap;
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
use super::socket_mode::SocketModeHub;
pub(crate) use super::world::World;

pub(crate) struct SimState {
    pub config: SlackSimConfig,
    pub identity: AppIdentity,
    pub clock: SimClock,
    pub world: Mutex<World>,
    pub faults: Faults,
    /// Slack limits each workspace separately: one limiter per team id ("" for calls
    /// made with client credentials, which belong to no workspace).
    pub rate_limiters: Mutex<HashMap<String, RateLimiter>>,
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
        world: World,
        base_url: String,
        shutdown: ShutdownSignal,
    ) -> Self {
        let rate_limits = config.rate_limits;
        Self {
            config,
            identity,
            clock,
            world: Mutex::new(world),
            faults: Faults::default(),
            rate_limiters: Mutex::new(HashMap::new()),
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
