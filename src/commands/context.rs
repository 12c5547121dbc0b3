use async_trait::async_trait;
use chrono::{DateTime, Utc};
use pourover_pairing::UnplacedReason;

use super::reply::Reply;
use crate::chat::Chat;
use crate::domain::{Member, Program, ProgramSettings, WorkspaceId};
use crate::roster::RosterPolicy;
use crate::store::Store;

/// Everything a command needs: who typed it, where, and the services it may use.
pub struct CommandContext<'a> {
    pub store: &'a Store,
    pub chat: &'a dyn Chat,
    pub backend: &'a dyn AdminBackend,
    pub workspace: WorkspaceId,
    pub actor: &'a Member,
    /// Workspace owner/admin, or listed in `POUROVER_ADMINS`.
    pub is_admin: bool,
    /// As the platform sent it (`/coffee`), or empty where commands are plain messages.
    pub command_name: &'a str,
    pub now: DateTime<Utc>,
    pub defaults: &'a ProgramDefaults,
    pub policy: RosterPolicy,
}

/// What new programs start with.
#[derive(Debug, Clone)]
pub struct ProgramDefaults {
    /// 5-field crontab, evaluated in the creating admin's time zone.
    pub cron: String,
    pub settings: ProgramSettings,
}

/// Admin work that lives outside the command module (rounds, stats, exports, delivery),
/// behind one seam so commands stay about wording and permissions.
#[async_trait]
pub trait AdminBackend: Send + Sync {
    /// Plans a round of `program` now; its intros go out through the outbox.
    async fn run_round_now(&self, program: &Program) -> Result<RoundNowOutcome, BackendError>;
    /// A compact summary for `admin stats`.
    async fn stats(
        &self,
        workspace: WorkspaceId,
        program: Option<&Program>,
    ) -> Result<Reply, BackendError>;
    /// Where to download a program's CSV export.
    async fn export(&self, program: &Program) -> Result<Reply, BackendError>;
    /// Messages the platform refused, newest first.
    async fn failures(&self, workspace: WorkspaceId) -> Result<Reply, BackendError>;
}

/// What `admin round now` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundNowOutcome {
    Planned {
        round_seq: i64,
        groups: usize,
        people: usize,
        trios_or_larger: usize,
        /// People the engine could not place, with the engine's reason.
        unplaced: Vec<(Member, UnplacedReason)>,
    },
    /// Fewer than two people take part this time.
    TooFewPeople { people: usize },
}

/// Why admin work behind a command failed; the text is worded for the admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("this workspace has no chat connection configured")]
    NoChatConnection,
    /// Another round of the program was being planned at that very moment.
    #[error("a round was just started for this program; try again in a moment")]
    RoundJustStarted,
    /// The bot's own failure, logged where it happened.
    #[error("something went wrong on my side; nothing was changed")]
    Internal,
}
