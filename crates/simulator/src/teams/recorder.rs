//! What happened, for assertions: every connector call, every activity the bot posted
//! (with its edits), every activity delivered to the bot, token requests and key fetches.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::error::SimError;
use crate::sync::lock;

use super::driver::TokenForgery;
use super::faults::ConnectorOperation;
use super::state::TeamsState;
use super::tenant::{ConversationKind, StoredActivity};

/// One connector call as the simulator received it (the latest [`MAX_RECORDED_CALLS`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorCall {
    /// None for a route the connector does not serve (recorded, answered 404/405).
    pub operation: Option<ConnectorOperation>,
    pub http_method: String,
    /// The path below the service URL, e.g. `v3/conversations/a:1…/activities`.
    pub path: String,
    pub conversation_id: Option<String>,
    /// The JSON body, or the query parameters for GETs.
    pub body: Value,
    pub at: SystemTime,
    pub outcome: ConnectorOutcome,
}

/// How the simulator answered a connector call.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectorOutcome {
    Ok {
        status: u16,
    },
    /// A Teams error (`{"error":{"code":…}}`), earned or injected.
    Refused {
        status: u16,
        code: String,
    },
    /// No valid access token.
    Unauthorized,
    /// HTTP 429; `retry_after` is the precise real wait (the header rounds it up).
    RateLimited {
        retry_after: Duration,
    },
    /// HTTP 500 from an injected fault.
    ServerError,
    /// Processed, then the connection was closed without a reply.
    DroppedAfterProcessing,
    /// Held without processing until the simulator stopped.
    Hung,
    /// Processed, then held without a reply until the simulator stopped.
    HungAfterProcessing,
    /// A route real Teams does not offer to bots (e.g. reading a chat's history).
    Unserved,
}

/// An activity the bot posted, with every version it went through.
#[derive(Debug, Clone, PartialEq)]
pub struct BotActivity {
    pub conversation_id: String,
    pub id: String,
    /// The user of a 1:1 chat; None in channels.
    pub recipient: Option<String>,
    pub reply_to_id: Option<String>,
    /// Oldest first; the last is what users see now.
    pub versions: Vec<Value>,
}

impl BotActivity {
    pub(crate) fn from_stored(
        conversation_id: &str,
        kind: &ConversationKind,
        stored: &StoredActivity,
    ) -> Self {
        Self {
            conversation_id: conversation_id.to_owned(),
            id: stored.id.clone(),
            recipient: match kind {
                ConversationKind::Personal { user_id } => Some(user_id.clone()),
                ConversationKind::Channel { .. } => None,
            },
            reply_to_id: stored.reply_to_id.clone(),
            versions: stored.versions.clone(),
        }
    }

    /// The activity as it stands now.
    pub fn current(&self) -> &Value {
        self.versions.last().unwrap_or(&Value::Null)
    }

    pub fn was_updated(&self) -> bool {
        self.versions.len() > 1
    }

    /// The activity's `text`.
    pub fn text(&self) -> Option<&str> {
        self.current().get("text").and_then(Value::as_str)
    }

    /// The first Adaptive Card attached, if any.
    pub fn card(&self) -> Option<&Value> {
        self.current()
            .get("attachments")?
            .as_array()?
            .iter()
            .find(|a| {
                a.get("contentType").and_then(Value::as_str)
                    == Some("application/vnd.microsoft.card.adaptive")
            })?
            .get("content")
    }

    /// Everything a reader sees: the text, then every text of the card (text blocks,
    /// fact titles and values), one per line.
    pub fn plain_text(&self) -> String {
        let mut lines = Vec::new();
        if let Some(text) = self.text().filter(|text| !text.is_empty()) {
            lines.push(text.to_owned());
        }
        if let Some(card) = self.card() {
            collect_texts(card, &mut lines);
        }
        lines.join("\n")
    }

    /// `(mentioned id, mentioned name, text)` for every mention entity, of the activity
    /// and of its card.
    pub fn mentions(&self) -> Vec<(String, String, String)> {
        let mut entities: Vec<&Value> = Vec::new();
        if let Some(list) = self.current().get("entities").and_then(Value::as_array) {
            entities.extend(list);
        }
        if let Some(list) = self
            .card()
            .and_then(|card| card.pointer("/msteams/entities"))
            .and_then(Value::as_array)
        {
            entities.extend(list);
        }
        entities
            .into_iter()
            .filter(|e| e.get("type").and_then(Value::as_str) == Some("mention"))
            .map(|e| {
                let field = |pointer: &str| {
                    e.pointer(pointer)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                (
                    field("/mentioned/id"),
                    field("/mentioned/name"),
                    field("/text"),
                )
            })
            .collect()
    }

    /// `(label, url)` of every markdown link a reader would see, in the text and the card.
    pub fn links(&self) -> Vec<(String, String)> {
        let mut texts = Vec::new();
        if let Some(text) = self.text() {
            texts.push(text.to_owned());
        }
        if let Some(card) = self.card() {
            collect_texts(card, &mut texts);
        }
        texts
            .iter()
            .flat_map(|text| super::markdown::links(text))
            .collect()
    }

    /// `(title, data)` of every `Action.Submit` on the card, in order.
    pub fn buttons(&self) -> Vec<(String, Value)> {
        let mut buttons = Vec::new();
        if let Some(card) = self.card() {
            collect_submits(card, &mut buttons);
        }
        buttons
    }
}

fn collect_texts(node: &Value, lines: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            match map.get("type").and_then(Value::as_str) {
                Some("TextBlock") => {
                    if let Some(text) = map.get("text").and_then(Value::as_str) {
                        lines.push(text.to_owned());
                    }
                }
                Some("FactSet") => {
                    for fact in map
                        .get("facts")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let part = |key: &str| fact.get(key).and_then(Value::as_str).unwrap_or("");
                        lines.push(format!("{}: {}", part("title"), part("value")));
                    }
                }
                _ => {}
            }
            for (key, child) in map {
                // Actions are buttons, not text; `msteams` holds entities.
                if key != "actions" && key != "msteams" && key != "data" {
                    collect_texts(child, lines);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_texts(item, lines)),
        _ => {}
    }
}

fn collect_submits(node: &Value, buttons: &mut Vec<(String, Value)>) {
    match node {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("Action.Submit") {
                let title = map.get("title").and_then(Value::as_str).unwrap_or("");
                let data = map.get("data").cloned().unwrap_or(Value::Null);
                buttons.push((title.to_owned(), data));
            }
            map.values()
                .for_each(|child| collect_submits(child, buttons));
        }
        Value::Array(items) => items.iter().for_each(|item| collect_submits(item, buttons)),
        _ => {}
    }
}

/// Something the simulator delivered to the bot and what came back.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityDelivery {
    pub activity: Value,
    /// How the token was forged, if it was.
    pub forgery: Option<TokenForgery>,
    /// HTTP status; None if the bot did not answer.
    pub status: Option<u16>,
    pub at: SystemTime,
}

/// A request to the token endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRequest {
    pub client_id: String,
    pub granted: bool,
    pub at: SystemTime,
}

/// How many connector calls the recorder keeps; the oldest go first.
pub const MAX_RECORDED_CALLS: usize = 100_000;

#[derive(Debug, Default)]
pub(crate) struct TeamsJournal {
    pub calls: Vec<ConnectorCall>,
    pub deliveries: Vec<ActivityDelivery>,
    pub token_requests: Vec<TokenRequest>,
    pub openid_fetches: u64,
    pub jwks_fetches: u64,
    pub rate_limited: BTreeMap<ConnectorOperation, u64>,
}

impl TeamsJournal {
    pub(crate) fn record_call(&mut self, call: ConnectorCall) {
        if self.calls.len() >= MAX_RECORDED_CALLS {
            self.calls.drain(..MAX_RECORDED_CALLS / 10);
        }
        if let (Some(operation), ConnectorOutcome::RateLimited { .. }) =
            (call.operation, &call.outcome)
        {
            *self.rate_limited.entry(operation).or_default() += 1;
        }
        self.calls.push(call);
    }
}

/// Read access to everything the Teams simulator saw; clones share the state.
#[derive(Clone)]
pub struct TeamsRecorder {
    state: Arc<TeamsState>,
}

impl TeamsRecorder {
    pub(crate) fn new(state: Arc<TeamsState>) -> Self {
        Self { state }
    }

    pub fn calls(&self) -> Vec<ConnectorCall> {
        lock(&self.state.world).journal.calls.clone()
    }

    /// Calls of one operation, oldest first.
    pub fn calls_to(&self, operation: ConnectorOperation) -> Vec<ConnectorCall> {
        lock(&self.state.world)
            .journal
            .calls
            .iter()
            .filter(|call| call.operation == Some(operation))
            .cloned()
            .collect()
    }

    /// Calls to routes the connector does not serve.
    pub fn unserved_calls(&self) -> Vec<ConnectorCall> {
        lock(&self.state.world)
            .journal
            .calls
            .iter()
            .filter(|call| call.operation.is_none())
            .cloned()
            .collect()
    }

    /// What the bot posted in a conversation, oldest first.
    pub fn activities_in(&self, conversation_id: &str) -> Vec<BotActivity> {
        let world = lock(&self.state.world);
        world
            .tenant
            .conversations
            .get(conversation_id)
            .map(|conversation| {
                conversation
                    .activities
                    .iter()
                    .map(|a| BotActivity::from_stored(conversation_id, &conversation.kind, a))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The 1:1 conversation between the bot and `user_id`, if one was created.
    pub fn personal_conversation(&self, user_id: &str) -> Option<String> {
        lock(&self.state.world)
            .tenant
            .personal
            .get(user_id)
            .cloned()
    }

    /// What the bot posted to `user_id` in their 1:1 chat, oldest first.
    pub fn messages_to(&self, user_id: &str) -> Vec<BotActivity> {
        match self.personal_conversation(user_id) {
            Some(conversation) => self.activities_in(&conversation),
            None => Vec::new(),
        }
    }

    /// One posted activity in its latest version.
    pub fn activity(&self, conversation_id: &str, activity_id: &str) -> Option<BotActivity> {
        self.activities_in(conversation_id)
            .into_iter()
            .find(|activity| activity.id == activity_id)
    }

    /// Everything the bot posted anywhere, by conversation then time.
    pub fn all_activities(&self) -> Vec<BotActivity> {
        let world = lock(&self.state.world);
        let mut ids: Vec<&String> = world.tenant.conversations.keys().collect();
        ids.sort();
        ids.into_iter()
            .flat_map(|id| {
                let conversation = &world.tenant.conversations[id];
                conversation
                    .activities
                    .iter()
                    .map(|a| BotActivity::from_stored(id, &conversation.kind, a))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    pub fn deliveries(&self) -> Vec<ActivityDelivery> {
        lock(&self.state.world).journal.deliveries.clone()
    }

    pub fn token_requests(&self) -> Vec<TokenRequest> {
        lock(&self.state.world).journal.token_requests.clone()
    }

    /// How often the OpenID metadata document was fetched.
    pub fn openid_fetches(&self) -> u64 {
        lock(&self.state.world).journal.openid_fetches
    }

    /// How often the signing keys (`jwks_uri`) were fetched.
    pub fn jwks_fetches(&self) -> u64 {
        lock(&self.state.world).journal.jwks_fetches
    }

    /// HTTP 429s served for an operation (real limits and injected ones).
    pub fn rate_limited_count(&self, operation: ConnectorOperation) -> u64 {
        lock(&self.state.world)
            .journal
            .rate_limited
            .get(&operation)
            .copied()
            .unwrap_or(0)
    }

    /// Waits until `condition` holds, re-checking on every change (and every 50 ms), up
    /// to `timeout`.
    pub async fn wait_for<F>(&self, condition: F, timeout: Duration) -> Result<(), SimError>
    where
        F: Fn(&TeamsRecorder) -> bool,
    {
        self.wait_for_value(|recorder| condition(recorder).then_some(()), timeout)
            .await
    }

    /// Like [`TeamsRecorder::wait_for`], returning what `probe` found.
    pub async fn wait_for_value<T, F>(&self, probe: F, timeout: Duration) -> Result<T, SimError>
    where
        F: Fn(&TeamsRecorder) -> Option<T>,
    {
        crate::sync::wait_on_changes(
            self.state.changes.subscribe(),
            || probe(self),
            timeout,
            "the Teams recorder condition",
        )
        .await
    }
}
