use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::{GroupId, InvalidValue, MemberId, OutboxId, WorkspaceId};

/// What kind of message the bot owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxKind {
    Intro,
    Nudge,
    ClosePrompt,
    GhostPause,
    Notice,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Intro => "intro",
            OutboxKind::Nudge => "nudge",
            OutboxKind::ClosePrompt => "close_prompt",
            OutboxKind::GhostPause => "ghost_pause",
            OutboxKind::Notice => "notice",
        }
    }
}

impl fmt::Display for OutboxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OutboxKind {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "intro" => Ok(OutboxKind::Intro),
            "nudge" => Ok(OutboxKind::Nudge),
            "close_prompt" => Ok(OutboxKind::ClosePrompt),
            "ghost_pause" => Ok(OutboxKind::GhostPause),
            "notice" => Ok(OutboxKind::Notice),
            other => Err(InvalidValue::new(format!("unknown outbox kind `{other}`"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxState {
    Pending,
    /// Claimed by a worker that is talking to the platform right now (or died doing so).
    Sending,
    Sent,
    /// Permanently refused by the platform; shown to admins.
    Failed,
    /// Not needed any more when it came due (a nudge to a group that already answered).
    Cancelled,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
            OutboxState::Cancelled => "cancelled",
        }
    }
}

impl FromStr for OutboxState {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(OutboxState::Pending),
            "sending" => Ok(OutboxState::Sending),
            "sent" => Ok(OutboxState::Sent),
            "failed" => Ok(OutboxState::Failed),
            "cancelled" => Ok(OutboxState::Cancelled),
            other => Err(InvalidValue::new(format!("unknown outbox state `{other}`"))),
        }
    }
}

/// One message the bot owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: OutboxId,
    /// Unique; travels with the message (Slack `metadata`) so a resend can be detected.
    pub key: String,
    pub workspace_id: WorkspaceId,
    pub kind: OutboxKind,
    pub group_id: Option<GroupId>,
    /// None: the whole group in one conversation; Some: one member alone.
    pub recipient: Option<MemberId>,
    pub payload: serde_json::Value,
    pub state: OutboxState,
    pub attempts: u32,
    pub not_before: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub conversation_id: Option<String>,
    pub message_id: Option<String>,
    pub last_error: Option<String>,
}
