//! The activities Teams sends a bot, shaped as Microsoft documents them.

use chrono::{SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use crate::teams::state::TeamsState;
use crate::teams::tenant::{SimTeam, TeamsUser};

/// Fields every activity from Teams carries.
fn envelope(
    state: &TeamsState,
    kind: &str,
    id: &str,
    from: &TeamsUser,
    conversation: Value,
    channel_data: Value,
) -> Value {
    let now = Utc::now();
    let local = from
        .time_zone
        .parse::<Tz>()
        .map(|zone| {
            now.with_timezone(&zone)
                .to_rfc3339_opts(SecondsFormat::Millis, false)
        })
        .unwrap_or_else(|_| now.to_rfc3339_opts(SecondsFormat::Millis, true));
    json!({
        "type": kind,
        "id": id,
        "timestamp": now.to_rfc3339_opts(SecondsFormat::Millis, true),
        "localTimestamp": local,
        "localTimezone": from.time_zone,
        "serviceUrl": state.service_url(),
        "channelId": "msteams",
        "from": {
            "id": from.id,
            "name": from.name,
            "aadObjectId": from.aad_object_id,
        },
        "conversation": conversation,
        "recipient": {
            "id": state.bot_id(),
            "name": state.config.bot_name,
        },
        "entities": [{
            "type": "clientInfo",
            "locale": "en-US",
            "country": "US",
            "platform": "Web",
            "timezone": from.time_zone,
        }],
        "channelData": channel_data,
        "locale": "en-US",
    })
}

fn personal_conversation(state: &TeamsState, conversation_id: &str) -> Value {
    json!({
        "conversationType": "personal",
        "tenantId": state.config.tenant_id,
        "id": conversation_id,
    })
}

fn tenant_data(state: &TeamsState) -> Value {
    json!({ "tenant": { "id": state.config.tenant_id } })
}

fn team_data(state: &TeamsState, team: &SimTeam, event_type: Option<&str>) -> Value {
    let mut data = json!({
        "teamsChannelId": team.id,
        "teamsTeamId": team.id,
        "channel": { "id": team.id },
        "team": { "id": team.id, "name": team.name, "aadGroupId": team.aad_group_id },
        "tenant": { "id": state.config.tenant_id },
    });
    if let Some(event_type) = event_type {
        data["eventType"] = json!(event_type);
    }
    data
}

/// A message typed in the user's 1:1 chat with the bot.
pub(crate) fn personal_message(
    state: &TeamsState,
    id: &str,
    from: &TeamsUser,
    conversation_id: &str,
    text: &str,
) -> Value {
    let mut activity = envelope(
        state,
        "message",
        id,
        from,
        personal_conversation(state, conversation_id),
        tenant_data(state),
    );
    activity["text"] = json!(text);
    activity["textFormat"] = json!("plain");
    activity
}

/// A message posted in a team's General channel that @mentions the bot first, as
/// Teams requires for a bot to see channel messages.
pub(crate) fn channel_mention(
    state: &TeamsState,
    id: &str,
    from: &TeamsUser,
    team: &SimTeam,
    text: &str,
) -> Value {
    let mention = format!("<at>{}</at>", state.config.bot_name);
    let conversation = json!({
        "isGroup": true,
        "conversationType": "channel",
        "tenantId": state.config.tenant_id,
        "id": format!("{};messageid={id}", team.id),
    });
    let mut activity = envelope(
        state,
        "message",
        id,
        from,
        conversation,
        team_data(state, team, None),
    );
    activity["text"] = json!(format!("{mention} {text}"));
    activity["textFormat"] = json!("plain");
    if let Some(entities) = activity["entities"].as_array_mut() {
        entities.push(json!({
            "type": "mention",
            "text": mention,
            "mentioned": { "id": state.bot_id(), "name": state.config.bot_name },
        }));
    }
    activity
}

/// An `Action.Submit` pressed on a card: Teams sends a message whose `value` is the
/// button's data, replying to the card's activity.
pub(crate) fn card_submit(
    state: &TeamsState,
    id: &str,
    from: &TeamsUser,
    conversation_id: &str,
    card_activity_id: &str,
    data: Value,
) -> Value {
    let mut activity = envelope(
        state,
        "message",
        id,
        from,
        personal_conversation(state, conversation_id),
        tenant_data(state),
    );
    activity["replyToId"] = json!(card_activity_id);
    activity["value"] = data;
    activity
}

/// Who changed in a team: the bot itself (installed or removed) or people.
pub(crate) fn team_member_update(
    state: &TeamsState,
    id: &str,
    by: &TeamsUser,
    team: &SimTeam,
    added: Vec<Value>,
    removed: Vec<Value>,
) -> Value {
    let event_type = if removed.is_empty() {
        "teamMemberAdded"
    } else {
        "teamMemberRemoved"
    };
    let conversation = json!({
        "isGroup": true,
        "conversationType": "channel",
        "tenantId": state.config.tenant_id,
        "id": team.id,
    });
    let mut activity = envelope(
        state,
        "conversationUpdate",
        id,
        by,
        conversation,
        team_data(state, team, Some(event_type)),
    );
    if let Some(fields) = activity.as_object_mut() {
        // Membership events carry no client information.
        fields.remove("entities");
        fields.remove("localTimezone");
        fields.remove("localTimestamp");
        if !added.is_empty() {
            fields.insert("membersAdded".into(), Value::Array(added));
        }
        if !removed.is_empty() {
            fields.insert("membersRemoved".into(), Value::Array(removed));
        }
    }
    activity
}

/// How a member appears in `membersAdded` / `membersRemoved`.
pub(crate) fn member_ref(user: &TeamsUser) -> Value {
    json!({ "id": user.id, "aadObjectId": user.aad_object_id })
}

pub(crate) fn bot_ref(state: &TeamsState) -> Value {
    json!({ "id": state.bot_id() })
}
