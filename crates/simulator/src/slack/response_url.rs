//! response_url: where the app answers a slash command or a button press later.
//!
//! Each URL is `http://127.0.0.1:PORT/response/{token}`, valid for 5 uses within 30
//! Slack minutes, as Slack's are. A post is recorded, then applied as Slack would:
//! `replace_original` / `delete_original` change the message the button was on,
//! `response_type: in_channel` posts to the conversation, anything else is an ephemeral
//! message to the user who acted.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::recorder::{Ephemeral, Journal, ResponseUrlPost};
use super::state::SimState;
use super::web_api::json_response;
use super::workspace::{MessageVersion, StoredMessage, Workspace};

const MAX_USES: u32 = 5;
const LIFETIME_IN_SLACK_TIME: Duration = Duration::from_secs(30 * 60);

/// What a response_url answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseUrlOrigin {
    SlashCommand {
        user: String,
        channel: String,
        command: String,
    },
    /// A button press on a message.
    Message {
        user: String,
        channel: String,
        message_ts: String,
    },
}

impl ResponseUrlOrigin {
    fn user(&self) -> &str {
        match self {
            ResponseUrlOrigin::SlashCommand { user, .. }
            | ResponseUrlOrigin::Message { user, .. } => user,
        }
    }

    fn channel(&self) -> &str {
        match self {
            ResponseUrlOrigin::SlashCommand { channel, .. }
            | ResponseUrlOrigin::Message { channel, .. } => channel,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ResponseUrlTarget {
    pub origin: ResponseUrlOrigin,
    pub uses: u32,
    pub issued: Instant,
}

/// A fresh response_url for `origin` in `workspace`.
pub(crate) fn issue(
    state: &SimState,
    workspace: &mut Workspace,
    origin: ResponseUrlOrigin,
) -> String {
    let token = workspace.new_token();
    workspace.response_urls.insert(
        token.clone(),
        ResponseUrlTarget {
            origin,
            uses: 0,
            issued: Instant::now(),
        },
    );
    format!("{}/response/{token}", state.base_url)
}

pub(crate) async fn receive(
    State(state): State<Arc<SimState>>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "ok": false, "error": "invalid_payload" }),
        );
    };
    let lifetime = state.clock.real_duration(LIFETIME_IN_SLACK_TIME);
    let now = state.now();
    let next_ts = state.clock.next_message_ts();
    state.change(|world| {
        let team = world
            .workspaces
            .values()
            .find(|workspace| workspace.response_urls.contains_key(&token))
            .map(|workspace| workspace.team.id.clone());
        let Some((workspace, journal)) = team
            .as_deref()
            .and_then(|team| world.workspace_and_journal(team))
        else {
            return json_response(
                StatusCode::NOT_FOUND,
                &json!({ "ok": false, "error": "no_service" }),
            );
        };
        let Some(target) = workspace.response_urls.get_mut(&token) else {
            return json_response(
                StatusCode::NOT_FOUND,
                &json!({ "ok": false, "error": "no_service" }),
            );
        };
        if target.issued.elapsed() > lifetime {
            return json_response(
                StatusCode::NOT_FOUND,
                &json!({ "ok": false, "error": "expired_url" }),
            );
        }
        if target.uses >= MAX_USES {
            return json_response(
                StatusCode::NOT_FOUND,
                &json!({ "ok": false, "error": "used_url" }),
            );
        }
        target.uses += 1;
        let origin = target.origin.clone();
        journal.response_url_posts.push(ResponseUrlPost {
            origin: origin.clone(),
            body: body.clone(),
            at: SystemTime::now(),
        });
        apply(&state, workspace, journal, &origin, &body, now, next_ts);
        json_response(StatusCode::OK, &json!({ "ok": true }))
    })
}

fn apply(
    state: &SimState,
    workspace: &mut Workspace,
    journal: &mut Journal,
    origin: &ResponseUrlOrigin,
    body: &Value,
    now: i64,
    next_ts: String,
) {
    let flag = |name: &str| body.get(name).and_then(Value::as_bool).unwrap_or(false);
    let text = body.get("text").and_then(Value::as_str).map(str::to_owned);
    let blocks = body
        .get("blocks")
        .filter(|blocks| blocks.is_array())
        .cloned();
    if let ResponseUrlOrigin::Message {
        channel,
        message_ts,
        ..
    } = origin
    {
        let original = workspace
            .conversation_mut(channel)
            .and_then(|conversation| conversation.message_mut(message_ts));
        if let Some(original) = original {
            if flag("delete_original") {
                original.deleted = true;
                return;
            }
            if flag("replace_original") {
                let metadata = original.current.metadata.clone();
                original.replace_content(MessageVersion {
                    text,
                    blocks,
                    metadata,
                    at: now,
                });
                original.edited_ts = Some(next_ts);
                return;
            }
        }
    }
    let in_channel = body.get("response_type").and_then(Value::as_str) == Some("in_channel");
    if in_channel {
        let bot_user_id = workspace.bot_user_id.clone();
        let bot_id = workspace.bot_id.clone();
        if let Some(conversation) = workspace.conversation_mut(origin.channel()) {
            conversation.push_message(StoredMessage {
                ts: next_ts,
                user: bot_user_id,
                bot_id: Some(bot_id),
                app_id: Some(state.identity.app_id.clone()),
                thread_ts: body
                    .get("thread_ts")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                current: MessageVersion {
                    text,
                    blocks,
                    metadata: None,
                    at: now,
                },
                earlier: Vec::new(),
                deleted: false,
                edited_ts: None,
            });
        }
        return;
    }
    journal.ephemerals.push(Ephemeral {
        team_id: workspace.team.id.clone(),
        channel: origin.channel().to_owned(),
        user: origin.user().to_owned(),
        text,
        blocks,
        thread_ts: None,
        message_ts: None,
        via_response_url: true,
    });
}
