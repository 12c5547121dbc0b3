//! Channels, DMs and group DMs, and the messages in them.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::clock::ts_key;

/// What sort of conversation a channel id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationKind {
    PublicChannel,
    PrivateChannel,
    /// A direct message between the app's bot and one person (`D…`).
    Im,
    /// A group DM (`G…`), e.g. an introduction between several people and the bot.
    Mpim,
}

impl ConversationKind {
    /// The `channel_type` Events API uses.
    pub(crate) fn channel_type(self) -> &'static str {
        match self {
            ConversationKind::PublicChannel => "channel",
            ConversationKind::PrivateChannel => "group",
            ConversationKind::Im => "im",
            ConversationKind::Mpim => "mpim",
        }
    }
}

/// A conversation as tests see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConversation {
    pub id: String,
    pub name: String,
    pub kind: ConversationKind,
    /// Member ids, sorted (the app's bot included when it is a member).
    pub members: Vec<String>,
}

/// One version of a message's content; chat.update appends one.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageVersion {
    pub text: Option<String>,
    pub blocks: Option<Value>,
    pub metadata: Option<Value>,
    /// Unix seconds when this version was written.
    pub at: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct StoredMessage {
    pub ts: String,
    pub user: String,
    pub bot_id: Option<String>,
    pub app_id: Option<String>,
    pub thread_ts: Option<String>,
    /// What Slack shows now.
    pub current: MessageVersion,
    /// Earlier versions, oldest first (empty until the first chat.update).
    pub earlier: Vec<MessageVersion>,
    pub deleted: bool,
    /// `ts` of the last chat.update, Slack's `edited.ts`.
    pub edited_ts: Option<String>,
}

impl StoredMessage {
    /// Every version, oldest first, the current one last.
    pub(crate) fn versions(&self) -> Vec<MessageVersion> {
        let mut versions = self.earlier.clone();
        versions.push(self.current.clone());
        versions
    }

    pub(crate) fn replace_content(&mut self, next: MessageVersion) {
        let previous = std::mem::replace(&mut self.current, next);
        self.earlier.push(previous);
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Conversation {
    pub id: String,
    pub name: String,
    pub kind: ConversationKind,
    pub created: i64,
    pub creator: Option<String>,
    pub is_general: bool,
    pub members: BTreeSet<String>,
    /// Ascending by `ts`.
    pub messages: Vec<StoredMessage>,
}

impl Conversation {
    pub(crate) fn new(id: String, name: String, kind: ConversationKind, created: i64) -> Self {
        Self {
            id,
            name,
            kind,
            created,
            creator: None,
            is_general: false,
            members: BTreeSet::new(),
            messages: Vec::new(),
        }
    }

    pub(crate) fn is_channel(&self) -> bool {
        matches!(
            self.kind,
            ConversationKind::PublicChannel | ConversationKind::PrivateChannel
        )
    }

    pub(crate) fn summary(&self) -> SimConversation {
        SimConversation {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind,
            members: self.members.iter().cloned().collect(),
        }
    }

    pub(crate) fn message(&self, ts: &str) -> Option<&StoredMessage> {
        self.messages.iter().find(|message| message.ts == ts)
    }

    pub(crate) fn message_mut(&mut self, ts: &str) -> Option<&mut StoredMessage> {
        self.messages.iter_mut().find(|message| message.ts == ts)
    }

    /// Keeps `messages` sorted even if a caller hands in an older timestamp.
    pub(crate) fn push_message(&mut self, message: StoredMessage) {
        let key = ts_key(&message.ts);
        let position = self
            .messages
            .iter()
            .rposition(|existing| ts_key(&existing.ts) <= key)
            .map_or(0, |index| index + 1);
        self.messages.insert(position, message);
    }
}
