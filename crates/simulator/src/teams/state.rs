//! The state every part of the Teams simulator shares.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

use crate::clock::SimClock;
use crate::http_server::ShutdownSignal;
use crate::sync::lock;

use super::config::TeamsSimConfig;
use super::faults::ConnectorFaults;
use super::keys::KeyRing;
use super::rate_limit::ConnectorLimiter;
use super::recorder::TeamsJournal;
use super::tenant::Tenant;

/// The tenant and the journal share one lock so an effect and its record are always
/// seen together.
pub(crate) struct TeamsWorld {
    pub tenant: Tenant,
    pub journal: TeamsJournal,
}

pub(crate) struct TeamsState {
    pub config: TeamsSimConfig,
    pub clock: SimClock,
    pub keys: Mutex<KeyRing>,
    pub world: Mutex<TeamsWorld>,
    pub faults: ConnectorFaults,
    pub limiter: Mutex<ConnectorLimiter>,
    rate_limits_enabled: AtomicBool,
    /// Bumped on every change, so waiters re-check instead of sleeping.
    pub changes: watch::Sender<u64>,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    pub shutdown: ShutdownSignal,
}

impl TeamsState {
    pub(crate) fn new(
        config: TeamsSimConfig,
        clock: SimClock,
        keys: KeyRing,
        tenant: Tenant,
        base_url: String,
        shutdown: ShutdownSignal,
    ) -> Self {
        let rate_limits = config.rate_limits;
        Self {
            config,
            clock,
            keys: Mutex::new(keys),
            world: Mutex::new(TeamsWorld {
                tenant,
                journal: TeamsJournal::default(),
            }),
            faults: ConnectorFaults::default(),
            limiter: Mutex::new(ConnectorLimiter::default()),
            rate_limits_enabled: AtomicBool::new(rate_limits),
            changes: watch::channel(0).0,
            base_url,
            shutdown,
        }
    }

    /// Runs `change` under the world lock and wakes everyone waiting for a change.
    pub(crate) fn change<T>(&self, change: impl FnOnce(&mut TeamsWorld) -> T) -> T {
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

    /// Where the connector lives: `http://127.0.0.1:PORT/smba/amer/`, with the trailing
    /// slash real service URLs have.
    pub(crate) fn service_url(&self) -> String {
        format!("{}/smba/amer/", self.base_url)
    }

    /// The bot's channel account id, `28:{app id}`.
    pub(crate) fn bot_id(&self) -> String {
        format!("28:{}", self.config.app_id)
    }
}
