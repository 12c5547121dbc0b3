//! The seam between the bot and a chat platform. Commands, rounds and delivery talk to
//! `dyn Chat` and the neutral messages in [`content`]; only `chat/slack` and `chat/teams`
//! know a platform's types.

pub mod content;
pub mod slack;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

pub use content::{
    FeedbackAction, FollowUp, GhostPauseNotice, HomeView, Intro, IntroPerson, Message,
};

use crate::domain::{MemberProfile, WorkspaceId};

/// How a platform delivers one group's intro. This is a capability, not a platform name:
/// the planner writes outbox rows to match, and never asks which platform it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntroFanout {
    /// One conversation with the whole group (Slack group DMs).
    OneConversationPerGroup,
    /// One 1:1 message per member naming the others (bots that cannot create group chats).
    OneMessagePerMember,
}

/// Where a message landed; enough to find or update it later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub conversation_id: String,
    pub message_id: String,
}

/// How a platform call failed, sorted by what the caller should do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    /// Wait at least this long, then try again.
    #[error("rate limited, retry after {retry_after:?}")]
    RateLimited { retry_after: Duration },
    /// Try again later with backoff. The platform may still have acted on the request (a
    /// reply lost with its connection), so a message must be looked for before resending.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Retrying cannot help (deactivated user, bot blocked, bad request).
    #[error("refused: {0}")]
    Permanent(String),
}

impl ChatError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, ChatError::Permanent(_))
    }
}

/// One platform install (a Slack workspace, a Teams tenant) as the bot core sees it.
#[async_trait]
pub trait Chat: Send + Sync + std::fmt::Debug {
    fn intro_fanout(&self) -> IntroFanout;

    /// A conversation with exactly these people and the bot (a group DM, or a 1:1 for one).
    async fn open_conversation(&self, members: &[String]) -> Result<String, ChatError>;

    /// Posts a message carrying `key`, so that [`Chat::find_posted`] can recognise it.
    async fn post(
        &self,
        conversation_id: &str,
        message: &Message,
        key: &str,
    ) -> Result<Posted, ChatError>;

    /// The message carrying `key` in that conversation, if it was posted (used after a crash
    /// or a lost reply, before any resend).
    async fn find_posted(
        &self,
        conversation_id: &str,
        key: &str,
    ) -> Result<Option<Posted>, ChatError>;

    /// Replaces a posted message (e.g. to show who answered).
    async fn update(&self, posted: &Posted, message: &Message) -> Result<(), ChatError>;

    /// What the platform knows about a person.
    async fn user_profile(&self, external_id: &str) -> Result<MemberProfile, ChatError>;

    /// Everyone the platform lists in the workspace, with profiles: one paged call instead
    /// of one call per person when reconciling a large channel.
    async fn all_users(&self) -> Result<Vec<MemberProfile>, ChatError>;

    /// Everyone in a channel (Slack) or team (Teams).
    async fn channel_members(&self, channel_id: &str) -> Result<Vec<String>, ChatError>;

    /// Shows a person their home tab; platforms without one do nothing.
    async fn publish_home(&self, _external_id: &str, _home: &HomeView) -> Result<(), ChatError> {
        Ok(())
    }
}

/// Which `Chat` serves which workspace. Built once at start-up.
#[derive(Debug, Clone, Default)]
pub struct ChatDirectory {
    by_workspace: HashMap<WorkspaceId, Arc<dyn Chat>>,
}

impl ChatDirectory {
    pub fn insert(&mut self, workspace: WorkspaceId, chat: Arc<dyn Chat>) {
        self.by_workspace.insert(workspace, chat);
    }

    pub fn get(&self, workspace: WorkspaceId) -> Option<Arc<dyn Chat>> {
        self.by_workspace.get(&workspace).cloned()
    }

    pub fn workspaces(&self) -> impl Iterator<Item = WorkspaceId> + '_ {
        self.by_workspace.keys().copied()
    }
}
