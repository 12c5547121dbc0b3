//! The bot's platform-neutral front door. Platform adapters translate what arrives (a slash
//! command, a button press, a channel join) into these calls and render what comes back;
//! they never touch the store, rounds or commands directly.
//!
//! One module per kind of inbound: `commands` (typed `/coffee …`), `feedback` (buttons on an
//! intro), `home` (the home tab and its buttons), `channel_events` (joins, leaves, profile
//! changes), `dedup` (platform retries), `sync` (channel reconciliation).

use std::sync::Arc;

use crate::chat::Chat;
use crate::clock::Clock;
use crate::commands::ProgramDefaults;
use crate::domain::{Member, WorkspaceId};
use crate::roster::{RosterError, RosterPolicy};
use crate::store::{Store, StoreError};

mod admin_backend;
mod channel_events;
mod commands;
mod dedup;
mod export_links;
mod feedback;
mod home;
mod install;
mod stats_reply;
mod sync;

pub use admin_backend::BotAdminBackend;
pub use export_links::ExportLinks;
pub use feedback::FeedbackOutcome;
pub use install::{ChannelInstall, program_slug};

/// Where an inbound request came from: which install, and the `Chat` that answers there.
#[derive(Clone, Copy)]
pub struct Inbound<'a> {
    pub workspace: WorkspaceId,
    pub chat: &'a dyn Chat,
}

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Roster(#[from] RosterError),
    #[error("no free program name based on `{0}`")]
    NoProgramName(String),
}

/// Settings the front door needs.
#[derive(Debug, Clone)]
pub struct BotConfig {
    /// Platform user ids that are admins besides workspace owners/admins.
    pub extra_admins: Vec<String>,
    pub policy: RosterPolicy,
    pub defaults: ProgramDefaults,
}

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct Bot {
    store: Store,
    config: Arc<BotConfig>,
    backend: Arc<BotAdminBackend>,
    clock: Clock,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot").finish_non_exhaustive()
    }
}

impl Bot {
    pub fn new(store: Store, config: BotConfig, backend: BotAdminBackend, clock: Clock) -> Self {
        Self {
            store,
            config: Arc::new(config),
            backend: Arc::new(backend),
            clock,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    fn is_admin(&self, member: &Member) -> bool {
        member.is_admin || self.config.extra_admins.contains(&member.external_id)
    }
}
