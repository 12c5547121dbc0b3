//! How the simulator's records look on the wire, built from slack-morphism's models.
//!
//! Message content is the one place we patch raw JSON into a serialised model: blocks
//! and metadata are echoed exactly as the bot sent them (Slack stores what it was given),
//! and slack-morphism's `SlackMessageMetadata` only models string-valued payloads while
//! Slack accepts any JSON there.

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::state::World;
use super::workspace::{Conversation, ConversationKind, SimUser, StoredMessage, Workspace};

/// A `SlackDateTime` for unix seconds (slack-morphism hides its time crate; its serde
/// form is the integer).
pub(crate) fn slack_datetime(unix_seconds: i64) -> SlackDateTime {
    serde_json::from_value(json!(unix_seconds)).unwrap_or_else(|_| SlackDateTime::now())
}

/// A message as conversations.history, chat.postMessage and interaction payloads show it.
pub(crate) fn message_json(
    message: &StoredMessage,
    team_id: &str,
    include_metadata: bool,
) -> Value {
    let origin = SlackMessageOrigin::new(message.ts.clone().into())
        .opt_thread_ts(message.thread_ts.clone().map(Into::into));
    let content = SlackMessageContent::new().opt_text(message.current.text.clone());
    let sender = SlackMessageSender::new()
        .with_user(message.user.clone().into())
        .opt_bot_id(message.bot_id.clone().map(Into::into));
    let edited = message
        .edited_ts
        .as_ref()
        .map(|ts| SlackMessageEdited::new(message.user.clone().into(), ts.clone().into()));
    let model = SlackHistoryMessage::new(origin, content, sender, SlackParentMessageParams::new())
        .opt_edited(edited);
    let mut value = serde_json::to_value(model).unwrap_or_else(|_| json!({}));
    if let Value::Object(object) = &mut value {
        object.insert("type".into(), json!("message"));
        object.insert("team".into(), json!(team_id));
        if message.current.text.is_none() {
            object.insert("text".into(), json!(""));
        }
        if let Some(app_id) = &message.app_id {
            object.insert("app_id".into(), json!(app_id));
        }
        if let Some(blocks) = &message.current.blocks {
            object.insert("blocks".into(), blocks.clone());
        }
        if let (true, Some(metadata)) = (include_metadata, &message.current.metadata) {
            object.insert("metadata".into(), metadata.clone());
        }
    }
    value
}

/// A conversation as conversations.open (`return_im`) and Events API show it.
pub(crate) fn channel_info(conversation: &Conversation, bot_user_id: &str) -> Value {
    let kind = conversation.kind;
    let flags = SlackChannelFlags::new()
        .with_is_channel(kind == ConversationKind::PublicChannel)
        .with_is_group(kind == ConversationKind::PrivateChannel)
        .with_is_im(kind == ConversationKind::Im)
        .with_is_mpim(kind == ConversationKind::Mpim)
        .with_is_private(kind != ConversationKind::PublicChannel)
        .with_is_archived(false)
        .with_is_general(conversation.is_general)
        .with_is_shared(false)
        .with_is_org_shared(false)
        .with_is_member(conversation.members.contains(bot_user_id));
    let mut info = SlackChannelInfo::new(
        conversation.id.clone().into(),
        slack_datetime(conversation.created),
        flags,
        SlackChannelCurrentState::new(),
    )
    .opt_creator(conversation.creator.clone().map(Into::into));
    if kind != ConversationKind::Im {
        info = info
            .with_name(conversation.name.clone())
            .with_name_normalized(conversation.name.clone())
            .with_num_members(conversation.members.len() as u64);
    }
    let mut value = serde_json::to_value(info).unwrap_or_else(|_| json!({ "id": conversation.id }));
    if kind == ConversationKind::Im {
        // An IM names its other member in `user`, which SlackChannelInfo does not model.
        let other = conversation
            .members
            .iter()
            .find(|member| *member != bot_user_id);
        if let (Value::Object(object), Some(other)) = (&mut value, other) {
            object.insert("user".into(), json!(other));
        }
    }
    value
}

/// A user as Slack shows them from `workspace`. In an Enterprise Grid org the user's
/// `team_id` is their home workspace (the first of the org they are a member of) and
/// `enterprise_user` names the org and every workspace of it they belong to.
pub(crate) fn slack_user(
    world: &World,
    workspace: &Workspace,
    user: &SimUser,
    with_custom_fields: bool,
) -> SlackUser {
    let Some(org) = &workspace.enterprise else {
        return user.to_slack(workspace.team_id(), with_custom_fields);
    };
    let teams: Vec<SlackTeamId> = world
        .org_teams(&org.id)
        .into_iter()
        .filter(|team| {
            world
                .workspace(team)
                .is_some_and(|other| other.is_member(&user.id))
        })
        .map(SlackTeamId)
        .collect();
    let home = teams
        .first()
        .map_or_else(|| workspace.team_id().to_owned(), |team| team.0.clone());
    let slack = user.to_slack(&home, with_custom_fields);
    let enterprise_user = SlackEnterpriseUser::new(
        user.id.clone().into(),
        org.id.clone().into(),
        slack.flags.clone(),
    )
    .with_enterprise_name(org.name.clone())
    .with_teams(teams);
    slack.with_enterprise_user(enterprise_user)
}
