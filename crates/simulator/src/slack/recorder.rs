//! What happened, for assertions: every Web API call, every message per conversation
//! (with its edits), ephemerals, App Home views, response_url posts, deliveries to the app.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::error::SimError;
use crate::sync::lock;

use super::response_url::ResponseUrlOrigin;
use super::state::SimState;
use super::workspace::{MessageVersion, StoredMessage, Workspace};

/// One Web API call as the simulator received it (the latest [`MAX_RECORDED_CALLS`]
/// are kept). Calls to methods the simulator does not serve are recorded too, answered
/// `unknown_method`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCall {
    /// e.g. "chat.postMessage".
    pub method: String,
    /// The workspace the token acted in (None when the call was refused before that was
    /// known, or belongs to no workspace, like `oauth.v2.access`).
    pub team_id: Option<String>,
    /// "GET" or "POST".
    pub http_method: String,
    /// How the parameters came: "query", "form" or "json".
    pub encoding: &'static str,
    /// Every parameter as received (form values stay strings), without the token.
    pub params: Value,
    pub at: SystemTime,
    pub outcome: CallOutcome,
}

/// How the simulator answered a call.
#[derive(Debug, Clone, PartialEq)]
pub enum CallOutcome {
    Ok,
    /// `{"ok":false,"error":…}`, whether the call earned it or a fault injected it.
    SlackError(String),
    /// HTTP 429; `retry_after` is the precise real wait (the header rounds it up).
    RateLimited {
        retry_after: Duration,
    },
    /// HTTP 500 from an injected fault.
    ServerError,
    /// Processed, then the connection was closed without a reply (injected fault).
    DroppedAfterProcessing,
}

/// A message as it stands now, with every version it went through.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedMessage {
    pub channel: String,
    pub ts: String,
    /// The author (the bot's user id for the bot's posts).
    pub user: String,
    pub bot_id: Option<String>,
    pub thread_ts: Option<String>,
    pub text: Option<String>,
    pub blocks: Option<Value>,
    pub metadata: Option<Value>,
    /// Oldest first; the last equals `text`/`blocks`/`metadata`.
    pub versions: Vec<MessageVersion>,
    /// Deleted through a response_url `delete_original`.
    pub deleted: bool,
}

impl RecordedMessage {
    /// Every live reference (mention, broadcast, link, channel) in the current version,
    /// as Slack would render it.
    pub fn references(&self) -> Vec<super::mrkdwn::Reference> {
        super::mrkdwn::message_references(self.text.as_deref(), self.blocks.as_ref())
    }

    pub(crate) fn from_stored(channel: &str, message: &StoredMessage) -> Self {
        Self {
            channel: channel.to_owned(),
            ts: message.ts.clone(),
            user: message.user.clone(),
            bot_id: message.bot_id.clone(),
            thread_ts: message.thread_ts.clone(),
            text: message.current.text.clone(),
            blocks: message.current.blocks.clone(),
            metadata: message.current.metadata.clone(),
            versions: message.versions(),
            deleted: message.deleted,
        }
    }

    /// Whether the current version was edited at least once.
    pub fn was_updated(&self) -> bool {
        self.versions.len() > 1
    }
}

/// A message only one user sees.
#[derive(Debug, Clone, PartialEq)]
pub struct Ephemeral {
    /// The workspace it was shown in.
    pub team_id: String,
    pub channel: String,
    pub user: String,
    pub text: Option<String>,
    pub blocks: Option<Value>,
    pub thread_ts: Option<String>,
    /// The `message_ts` chat.postEphemeral returned (None when sent via response_url).
    pub message_ts: Option<String>,
    pub via_response_url: bool,
}

/// An App Home published with views.publish.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedView {
    /// The workspace whose App Home it is.
    pub team_id: String,
    pub user_id: String,
    pub view_id: String,
    pub hash: String,
    /// The view as the bot sent it.
    pub view: Value,
    pub at: SystemTime,
}

/// A body the bot POSTed to a response_url.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseUrlPost {
    pub origin: ResponseUrlOrigin,
    pub body: Value,
    pub at: SystemTime,
}

/// Something the simulator delivered to the app and what came back.
#[derive(Debug, Clone, PartialEq)]
pub struct AppDelivery {
    /// The workspace it came from.
    pub team_id: String,
    /// "slash_commands", "events_api" or "interactive".
    pub kind: &'static str,
    /// "http" or "socket_mode".
    pub transport: &'static str,
    pub payload: Value,
    /// HTTP status, or 200 for an acknowledged Socket Mode envelope; None if no answer.
    pub status: Option<u16>,
    pub at: SystemTime,
}

/// How many Web API calls the recorder keeps; the oldest go first, so a long-running
/// demo does not grow without bound. Counters (429s) are exact regardless.
pub const MAX_RECORDED_CALLS: usize = 100_000;

#[derive(Debug, Default)]
pub(crate) struct Journal {
    pub calls: Vec<ApiCall>,
    pub ephemerals: Vec<Ephemeral>,
    pub views: Vec<PublishedView>,
    pub response_url_posts: Vec<ResponseUrlPost>,
    pub deliveries: Vec<AppDelivery>,
    /// HTTP 429s served per method (real limits and injected ones).
    pub rate_limited: BTreeMap<String, u64>,
}

impl Journal {
    pub(crate) fn record_call(&mut self, call: ApiCall) {
        if self.calls.len() >= MAX_RECORDED_CALLS {
            // Drop a tenth at once so trimming is rare.
            self.calls.drain(..MAX_RECORDED_CALLS / 10);
        }
        self.calls.push(call);
    }
}

/// Read access to everything the simulator saw; clones are cheap and share the state.
#[derive(Clone)]
pub struct Recorder {
    state: Arc<SimState>,
}

impl Recorder {
    pub(crate) fn new(state: Arc<SimState>) -> Self {
        Self { state }
    }

    pub fn api_calls(&self) -> Vec<ApiCall> {
        lock(&self.state.world).journal.calls.clone()
    }

    /// Calls of one method, oldest first.
    pub fn calls_to(&self, method: &str) -> Vec<ApiCall> {
        lock(&self.state.world)
            .journal
            .calls
            .iter()
            .filter(|call| call.method == method)
            .cloned()
            .collect()
    }

    /// Messages in a conversation (of any workspace), oldest first (deleted ones
    /// included, flagged).
    pub fn messages(&self, channel: &str) -> Vec<RecordedMessage> {
        let world = lock(&self.state.world);
        world
            .find_conversation(channel)
            .map(|(_, conversation)| {
                conversation
                    .messages
                    .iter()
                    .map(|message| RecordedMessage::from_stored(channel, message))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One message in its latest version.
    pub fn message(&self, channel: &str, ts: &str) -> Option<RecordedMessage> {
        let world = lock(&self.state.world);
        let (_, conversation) = world.find_conversation(channel)?;
        conversation
            .message(ts)
            .map(|message| RecordedMessage::from_stored(channel, message))
    }

    /// Every message in every conversation of every workspace, ordered by workspace,
    /// channel, then time.
    pub fn all_messages(&self) -> Vec<RecordedMessage> {
        let world = lock(&self.state.world);
        world
            .workspaces
            .values()
            .flat_map(workspace_messages)
            .collect()
    }

    /// Every message in one workspace, ordered by channel then time.
    pub fn all_messages_in(&self, team_id: &str) -> Vec<RecordedMessage> {
        let world = lock(&self.state.world);
        world
            .workspace(team_id)
            .map(workspace_messages)
            .unwrap_or_default()
    }

    pub fn ephemerals(&self) -> Vec<Ephemeral> {
        lock(&self.state.world).journal.ephemerals.clone()
    }

    /// Every views.publish, oldest first.
    pub fn published_views(&self) -> Vec<PublishedView> {
        lock(&self.state.world).journal.views.clone()
    }

    /// The App Home `user_id` sees now (in the primary workspace, or failing that the
    /// first other workspace that has one for them).
    pub fn home_view(&self, user_id: &str) -> Option<PublishedView> {
        let world = lock(&self.state.world);
        std::iter::once(world.primary())
            .chain(world.workspaces.values())
            .find_map(|workspace| workspace.home_views.get(user_id).cloned())
    }

    /// The App Home `user_id` sees now in workspace `team_id`.
    pub fn home_view_in(&self, team_id: &str, user_id: &str) -> Option<PublishedView> {
        lock(&self.state.world)
            .workspace(team_id)
            .and_then(|workspace| workspace.home_views.get(user_id).cloned())
    }

    pub fn response_url_posts(&self) -> Vec<ResponseUrlPost> {
        lock(&self.state.world).journal.response_url_posts.clone()
    }

    pub fn deliveries(&self) -> Vec<AppDelivery> {
        lock(&self.state.world).journal.deliveries.clone()
    }

    /// HTTP 429s served so far, per method.
    pub fn rate_limited_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.state.world).journal.rate_limited.clone()
    }

    pub fn rate_limited_count(&self, method: &str) -> u64 {
        self.rate_limited_counts().get(method).copied().unwrap_or(0)
    }

    /// Waits until `condition` holds, re-checking whenever the simulator's state changes
    /// (and every 50 ms, for conditions that depend on something else), up to `timeout`.
    pub async fn wait_for<F>(&self, condition: F, timeout: Duration) -> Result<(), SimError>
    where
        F: Fn(&Recorder) -> bool,
    {
        self.wait_for_value(|recorder| condition(recorder).then_some(()), timeout)
            .await
    }

    /// Like [`Recorder::wait_for`], returning what `probe` found.
    pub async fn wait_for_value<T, F>(&self, probe: F, timeout: Duration) -> Result<T, SimError>
    where
        F: Fn(&Recorder) -> Option<T>,
    {
        crate::sync::wait_on_changes(
            self.state.changes.subscribe(),
            || probe(self),
            timeout,
            "the recorder condition",
        )
        .await
    }
}

fn workspace_messages(workspace: &Workspace) -> Vec<RecordedMessage> {
    workspace
        .conversations
        .values()
        .flat_map(|conversation| {
            conversation
                .messages
                .iter()
                .map(|message| RecordedMessage::from_stored(&conversation.id, message))
        })
        .collect()
}
