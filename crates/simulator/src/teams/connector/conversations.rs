//! Creating 1:1 conversations and posting, replying to and updating activities.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Call, ConnectorError, error_response};
use crate::teams::faults::ConnectorOperation;
use crate::teams::rate_limit::LimitClass;
use crate::teams::state::{TeamsState, TeamsWorld};
use crate::teams::tenant::{ConversationKind, StoredActivity};

fn parse(body: &Bytes) -> Result<Value, ConnectorError> {
    serde_json::from_slice::<Value>(body).map_err(|_| {
        ConnectorError::new(
            StatusCode::BAD_REQUEST,
            "BadSyntax",
            "The request body is not valid JSON.",
        )
    })
}

fn text_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// `POST v3/conversations`: a bot may only start 1:1 chats, with people in its tenant
/// who can reach it (it is installed in a team of theirs).
pub(crate) async fn create(
    State(state): State<Arc<TeamsState>>,
    Path(_region): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match parse(&body) {
        Ok(body) => body,
        Err(error) => return error_response(&error),
    };
    let member = text_at(&body, "/members/0/id")
        .unwrap_or_default()
        .to_owned();
    let call = Call {
        operation: ConnectorOperation::CreateConversation,
        http_method: Method::POST,
        path: "/smba/amer/v3/conversations".to_owned(),
        conversation_id: None,
        recorded: body.clone(),
        limit: (LimitClass::CreateConversation, member.clone()),
    };
    let bot_id = state.bot_id();
    let tenant_id = state.config.tenant_id.clone();
    call.serve(&state, &headers, move |world| {
        let members = body
            .get("members")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if body.get("isGroup").and_then(Value::as_bool) == Some(true) || members != 1 {
            return Err(ConnectorError::bad_argument(
                "Bots can only create one-on-one conversations with a single user.",
            ));
        }
        if text_at(&body, "/bot/id") != Some(bot_id.as_str()) {
            return Err(ConnectorError::bad_argument(
                "The bot id does not match the token's app id.",
            ));
        }
        let tenant = text_at(&body, "/channelData/tenant/id").or(text_at(&body, "/tenantId"));
        if tenant != Some(tenant_id.as_str()) {
            return Err(ConnectorError::bad_argument(
                "A valid tenant id is required to create a conversation.",
            ));
        }
        let Some(user) = world.tenant.find_user(&member).map(|u| u.id.clone()) else {
            return Err(ConnectorError::not_found(
                "NotFound",
                "The user was not found in the tenant.",
            ));
        };
        if !world.tenant.bot_can_reach(&user) {
            return Err(ConnectorError::new(
                StatusCode::FORBIDDEN,
                "ForbiddenOperationException",
                "The bot is not installed in the user's personal scope or in a team of theirs.",
            ));
        }
        let id = world.tenant.personal_conversation(&user);
        Ok((StatusCode::CREATED, json!({ "id": id })))
    })
    .await
}

/// `POST v3/conversations/{id}/activities`.
pub(crate) async fn send(
    State(state): State<Arc<TeamsState>>,
    Path((_region, conversation)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    post_activity(state, conversation, None, headers, body).await
}

/// `POST v3/conversations/{id}/activities/{activityId}`: a reply (in a 1:1 chat Teams
/// simply appends it).
pub(crate) async fn reply(
    State(state): State<Arc<TeamsState>>,
    Path((_region, conversation, activity)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    post_activity(state, conversation, Some(activity), headers, body).await
}

async fn post_activity(
    state: Arc<TeamsState>,
    conversation: String,
    reply_to: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match parse(&body) {
        Ok(body) => body,
        Err(error) => return error_response(&error),
    };
    let (operation, path) = match &reply_to {
        Some(activity) => (
            ConnectorOperation::ReplyToActivity,
            format!("/smba/amer/v3/conversations/{conversation}/activities/{activity}"),
        ),
        None => (
            ConnectorOperation::SendToConversation,
            format!("/smba/amer/v3/conversations/{conversation}/activities"),
        ),
    };
    let call = Call {
        operation,
        http_method: Method::POST,
        path,
        conversation_id: Some(conversation.clone()),
        recorded: body.clone(),
        limit: (LimitClass::Send, thread_of(&conversation)),
    };
    call.serve(&state, &headers, move |world| {
        let conversation = writable(world, &conversation)?;
        if body.get("type").and_then(Value::as_str) != Some("message") {
            return Err(ConnectorError::bad_argument(
                "Only activities of type 'message' can be sent.",
            ));
        }
        let id = world.tenant.next_activity_id();
        let stamped = stamp(body, &id, reply_to.as_deref());
        if let Some(stored) = world.tenant.conversations.get_mut(&conversation) {
            stored.activities.push(StoredActivity {
                id: id.clone(),
                reply_to_id: reply_to,
                versions: vec![stamped],
            });
        }
        Ok((StatusCode::CREATED, json!({ "id": id })))
    })
    .await
}

/// `PUT v3/conversations/{id}/activities/{activityId}`: replaces what users see.
pub(crate) async fn update(
    State(state): State<Arc<TeamsState>>,
    Path((_region, conversation, activity)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match parse(&body) {
        Ok(body) => body,
        Err(error) => return error_response(&error),
    };
    let call = Call {
        operation: ConnectorOperation::UpdateActivity,
        http_method: Method::PUT,
        path: format!("/smba/amer/v3/conversations/{conversation}/activities/{activity}"),
        conversation_id: Some(conversation.clone()),
        recorded: body.clone(),
        limit: (LimitClass::Send, thread_of(&conversation)),
    };
    call.serve(&state, &headers, move |world| {
        let conversation = writable(world, &conversation)?;
        let stored = world
            .tenant
            .conversations
            .get_mut(&conversation)
            .and_then(|c| c.activities.iter_mut().find(|a| a.id == activity))
            .ok_or_else(|| ConnectorError::not_found("NotFound", "Activity not found."))?;
        let stamped = stamp(body, &activity, stored.reply_to_id.as_deref());
        stored.versions.push(stamped);
        Ok((StatusCode::OK, json!({ "id": activity })))
    })
    .await
}

/// The stored conversation behind `conversation` (a channel thread is kept with its
/// channel), if the bot may write to it.
fn writable(world: &TeamsWorld, conversation: &str) -> Result<String, ConnectorError> {
    let key = if world.tenant.conversations.contains_key(conversation) {
        conversation.to_owned()
    } else {
        thread_of(conversation)
    };
    let stored = world.tenant.conversations.get(&key).ok_or_else(|| {
        ConnectorError::not_found("ConversationNotFound", "Conversation not found.")
    })?;
    if let ConversationKind::Personal { user_id } = &stored.kind
        && world
            .tenant
            .users
            .get(user_id)
            .is_some_and(|user| user.blocked_bot)
    {
        return Err(ConnectorError::message_writes_blocked());
    }
    Ok(key)
}

/// A channel thread (`19:…;messageid=…`) counts against its channel's limit.
fn thread_of(conversation: &str) -> String {
    conversation
        .split(';')
        .next()
        .unwrap_or(conversation)
        .to_owned()
}

/// The activity as stored: what the bot sent plus the id and time Teams gave it.
fn stamp(mut activity: Value, id: &str, reply_to: Option<&str>) -> Value {
    if let Some(fields) = activity.as_object_mut() {
        fields.insert("id".into(), json!(id));
        fields.insert(
            "timestamp".into(),
            json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        );
        if let Some(reply_to) = reply_to {
            fields.insert("replyToId".into(), json!(reply_to));
        }
    }
    activity
}
