//! What Slack sends to an app, built from slack-morphism's models: slash command
//! fields, Events API envelopes, `block_actions` interaction payloads.
//!
//! A few fields Slack sends are not in the models (the deprecated verification `token`,
//! `user_name`, `api_app_id` on commands, `is_enterprise_install`); they are added to
//! the serialised model so the payload matches what an app really receives.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use slack_morphism::prelude::*;

use super::buttons::{FoundButton, find_button};
use crate::error::SimError;
use crate::slack::render::{message_json, slack_datetime};
use crate::slack::response_url::{self, ResponseUrlOrigin};
use crate::slack::state::{SimState, World};
use crate::slack::workspace::{ConversationKind, OrgIdentity, TeamIdentity, Workspace};
use crate::sync::lock;

/// An Events API delivery ready to send (and to re-send: retries reuse `event_id`).
#[derive(Debug, Clone, PartialEq)]
pub struct EventEnvelope {
    pub event_id: String,
    pub event_time: i64,
    /// The whole `event_callback` body.
    pub body: Value,
}

/// Where a payload comes from: the workspace, its org, and how the app is installed
/// there (what `authorizations` and `is_enterprise_install` say).
#[derive(Debug, Clone)]
pub(crate) struct Tenancy {
    pub team: TeamIdentity,
    pub enterprise: Option<OrgIdentity>,
    pub is_enterprise_install: bool,
    pub bot_user_id: String,
}

impl Tenancy {
    pub(crate) fn of(world: &World, team_id: &str) -> Result<Self, SimError> {
        let workspace = world
            .workspace(team_id)
            .ok_or_else(|| SimError::WorkspaceNotFound(team_id.to_owned()))?;
        let installation = world.serving_installation(team_id);
        Ok(Self {
            team: workspace.team.clone(),
            enterprise: workspace.enterprise.clone(),
            is_enterprise_install: installation.is_some_and(|i| i.is_enterprise_install()),
            bot_user_id: installation.map_or_else(
                || workspace.bot_user_id.clone(),
                |installation| installation.bot_user_id.clone(),
            ),
        })
    }
}

fn workspace_mut<'w>(world: &'w mut World, team_id: &str) -> Result<&'w mut Workspace, SimError> {
    world
        .workspace_mut(team_id)
        .ok_or_else(|| SimError::WorkspaceNotFound(team_id.to_owned()))
}

/// The form fields of a slash command, as a JSON object of strings (Socket Mode sends
/// the same object as its payload).
pub(crate) fn slash_command(
    state: &SimState,
    team_id: &str,
    user_id: &str,
    channel: Option<&str>,
    command: &str,
    text: &str,
) -> Result<Value, SimError> {
    let config = &state.config;
    let now = state.now();
    state.change(|world| {
        let tenancy = Tenancy::of(world, team_id)?;
        let workspace = workspace_mut(world, team_id)?;
        let user = workspace
            .user(user_id)
            .filter(|user| !user.deleted)
            .ok_or_else(|| SimError::UserNotFound(user_id.to_owned()))?;
        let user_name = user.name.clone();
        let channel_id = match channel {
            Some(channel) => channel.to_owned(),
            None => workspace.im_with(user_id, now),
        };
        let conversation = workspace
            .conversation(&channel_id)
            .ok_or_else(|| SimError::ConversationNotFound(channel_id.clone()))?;
        if !conversation.members.contains(user_id) {
            return Err(SimError::NotAMember {
                user: user_id.to_owned(),
                channel: channel_id,
            });
        }
        let channel_name = channel_name(conversation.kind, &conversation.name);
        let trigger_id = workspace.new_trigger_id();
        let origin = ResponseUrlOrigin::SlashCommand {
            user: user_id.to_owned(),
            channel: channel_id.clone(),
            command: command.to_owned(),
        };
        let response_url = response_url::issue(state, workspace, origin);
        let event = SlackCommandEvent::new(
            tenancy.team.id.clone().into(),
            channel_id.into(),
            user_id.to_owned().into(),
            SlackCommandId(command.to_owned()),
            SlackResponseUrl(parse_url(&response_url)?),
            SlackTriggerId(trigger_id),
        )
        .with_team_domain(tenancy.team.domain.clone())
        .with_channel_name(channel_name)
        .with_text(text.to_owned());
        let mut fields = object(serde_json::to_value(event)?);
        fields.insert("token".into(), json!(config.verification_token));
        fields.insert("user_name".into(), json!(user_name));
        fields.insert("api_app_id".into(), json!(state.identity.app_id));
        // Forms carry strings: Slack sends the flag as "true"/"false".
        fields.insert(
            "is_enterprise_install".into(),
            json!(tenancy.is_enterprise_install.to_string()),
        );
        if let Some(org) = &tenancy.enterprise {
            fields.insert("enterprise_id".into(), json!(org.id));
            fields.insert("enterprise_name".into(), json!(org.name));
        }
        Ok(Value::Object(fields))
    })
}

/// Wraps `event` in an `event_callback` envelope with a fresh `event_id`.
pub(crate) fn event_callback(
    state: &SimState,
    team_id: &str,
    event: SlackEventCallbackBody,
) -> Result<EventEnvelope, SimError> {
    let tenancy = Tenancy::of(&lock(&state.world), team_id)?;
    event_callback_as(state, &tenancy, event)
}

/// Like [`event_callback`], saying what `tenancy` says about the workspace and install.
pub(crate) fn event_callback_as(
    state: &SimState,
    tenancy: &Tenancy,
    event: SlackEventCallbackBody,
) -> Result<EventEnvelope, SimError> {
    let config = &state.config;
    let event_time = state.now();
    let (event_id, event_context) = state.change(|world| {
        let event_id = format!("Ev{}", world.ids.id_chars(10));
        let event_context = format!("4-{}", world.new_token());
        (event_id, event_context)
    });
    let callback = SlackPushEventCallback::new(
        tenancy.team.id.clone().into(),
        state.identity.app_id.clone().into(),
        event,
        SlackEventId(event_id.clone()),
        slack_datetime(event_time),
    )
    .with_event_context(SlackEventContext(event_context))
    .with_authorizations(vec![
        SlackEventAuthorization::new(
            tenancy.team.id.clone().into(),
            tenancy.bot_user_id.clone().into(),
        )
        .with_is_bot(true),
    ]);
    let mut body = object(serde_json::to_value(SlackPushEvent::EventCallback(
        callback,
    ))?);
    body.insert("token".into(), json!(config.verification_token));
    body.insert("is_ext_shared_channel".into(), json!(false));
    body.insert("context_team_id".into(), json!(tenancy.team.id));
    let enterprise_id = tenancy.enterprise.as_ref().map(|org| org.id.clone());
    body.insert("context_enterprise_id".into(), json!(enterprise_id));
    if let Some(enterprise_id) = &enterprise_id {
        body.insert("enterprise_id".into(), json!(enterprise_id));
    }
    // slack-morphism's SlackEventAuthorization has neither field.
    if let Some(Value::Array(authorizations)) = body.get_mut("authorizations") {
        for authorization in authorizations.iter_mut().filter_map(Value::as_object_mut) {
            authorization.insert("enterprise_id".into(), json!(enterprise_id));
            authorization.insert(
                "is_enterprise_install".into(),
                json!(tenancy.is_enterprise_install),
            );
        }
    }
    // Every event carries `event_ts` (the AsyncAPI spec requires it); not every
    // slack-morphism event model has the field.
    if let Some(Value::Object(inner)) = body.get_mut("event")
        && !inner.contains_key("event_ts")
    {
        inner.insert("event_ts".into(), json!(state.clock.next_message_ts()));
    }
    Ok(EventEnvelope {
        event_id,
        event_time,
        body: Value::Object(body),
    })
}

pub(crate) fn url_verification(state: &SimState, challenge: &str) -> Result<Value, SimError> {
    let event =
        SlackPushEvent::UrlVerification(SlackUrlVerificationEvent::new(challenge.to_owned()));
    let mut body = object(serde_json::to_value(event)?);
    body.insert("token".into(), json!(state.config.verification_token));
    Ok(Value::Object(body))
}

/// A `block_actions` payload for `user_id` pressing `wanted` on the message `ts`.
pub(crate) fn message_block_actions(
    state: &SimState,
    team_id: &str,
    user_id: &str,
    channel: &str,
    ts: &str,
    wanted: &str,
) -> Result<Value, SimError> {
    state.change(|world| {
        let tenancy = Tenancy::of(world, team_id)?;
        let workspace = workspace_mut(world, team_id)?;
        let user = acting_user(workspace, user_id)?;
        let conversation = workspace
            .conversation(channel)
            .ok_or_else(|| SimError::ConversationNotFound(channel.to_owned()))?;
        if !conversation.members.contains(user_id) {
            return Err(SimError::NotAMember {
                user: user_id.to_owned(),
                channel: channel.to_owned(),
            });
        }
        let message = conversation
            .message(ts)
            .filter(|message| !message.deleted)
            .ok_or_else(|| SimError::MessageNotFound {
                channel: channel.to_owned(),
                ts: ts.to_owned(),
            })?;
        let button = message
            .current
            .blocks
            .as_ref()
            .and_then(|blocks| find_button(blocks, wanted))
            .ok_or_else(|| SimError::ActionNotFound {
                wanted: wanted.to_owned(),
                surface: format!("message {ts} in {channel}"),
            })?;
        // Interaction payloads carry the message as it stands, without its metadata.
        let message_value = message_json(message, team_id, false);
        let channel_info = SlackBasicChannelInfo::new(channel.to_owned().into())
            .with_name(channel_name(conversation.kind, &conversation.name));
        let trigger_id = workspace.new_trigger_id();
        let origin = ResponseUrlOrigin::Message {
            user: user_id.to_owned(),
            channel: channel.to_owned(),
            message_ts: ts.to_owned(),
        };
        let response_url = response_url::issue(state, workspace, origin);
        let event = SlackInteractionBlockActionsEvent::new(
            team_info(&tenancy),
            state.identity.app_id.clone().into(),
            SlackInteractionActionContainer::Message(
                SlackInteractionActionMessageContainer::new(ts.to_owned().into())
                    .with_channel_id(channel.to_owned().into())
                    .with_is_ephemeral(false),
            ),
            SlackTriggerId(trigger_id),
        )
        .with_user(user)
        .with_channel(channel_info)
        .with_response_url(SlackResponseUrl(parse_url(&response_url)?))
        .with_actions(vec![action_info(state, &button)])
        .with_state(SlackActionState::new(HashMap::new()));
        let mut payload = interaction_object(state, &tenancy, event)?;
        payload.insert("message".into(), message_value);
        Ok(Value::Object(payload))
    })
}

/// A `block_actions` payload for `user_id` pressing `wanted` in their App Home.
pub(crate) fn home_block_actions(
    state: &SimState,
    team_id: &str,
    user_id: &str,
    wanted: &str,
) -> Result<Value, SimError> {
    state.change(|world| {
        let tenancy = Tenancy::of(world, team_id)?;
        let workspace = workspace_mut(world, team_id)?;
        let user = acting_user(workspace, user_id)?;
        let published =
            workspace
                .home_views
                .get(user_id)
                .cloned()
                .ok_or_else(|| SimError::ActionNotFound {
                    wanted: wanted.to_owned(),
                    surface: format!("{user_id}'s App Home (nothing published)"),
                })?;
        let button = published
            .view
            .get("blocks")
            .and_then(|blocks| find_button(blocks, wanted))
            .ok_or_else(|| SimError::ActionNotFound {
                wanted: wanted.to_owned(),
                surface: format!("{user_id}'s App Home"),
            })?;
        let view: SlackView = serde_json::from_value(published.view.clone())?;
        let stateful = SlackStatefulView::new(
            SlackStatefulStateParams::new(
                published.view_id.clone().into(),
                tenancy.team.id.clone().into(),
                published.hash.clone(),
            )
            .with_state(SlackViewState::new(HashMap::new()))
            .with_root_view_id(published.view_id.clone().into())
            .with_app_id(state.identity.app_id.clone().into())
            .with_bot_id(workspace.bot_id.clone().into()),
            view,
        );
        let trigger_id = workspace.new_trigger_id();
        let event = SlackInteractionBlockActionsEvent::new(
            team_info(&tenancy),
            state.identity.app_id.clone().into(),
            SlackInteractionActionContainer::View(SlackInteractionActionViewContainer::new(
                published.view_id.clone().into(),
            )),
            SlackTriggerId(trigger_id),
        )
        .with_user(user)
        .with_actions(vec![action_info(state, &button)])
        .with_state(SlackActionState::new(HashMap::new()));
        let mut payload = interaction_object(state, &tenancy, event)?;
        // The payload's `view` is the stateful view (id, hash, state…), which the
        // event model types as a plain view.
        payload.insert("view".into(), serde_json::to_value(stateful)?);
        Ok(Value::Object(payload))
    })
}

fn acting_user(workspace: &Workspace, user_id: &str) -> Result<SlackBasicUserInfo, SimError> {
    let user = workspace
        .user(user_id)
        .filter(|user| !user.deleted)
        .ok_or_else(|| SimError::UserNotFound(user_id.to_owned()))?;
    Ok(SlackBasicUserInfo::new(user.id.clone().into())
        .with_team_id(workspace.team.id.clone().into())
        .with_username(user.name.clone())
        .with_name(user.name.clone()))
}

fn team_info(tenancy: &Tenancy) -> SlackBasicTeamInfo {
    SlackBasicTeamInfo::new(tenancy.team.id.clone().into()).with_domain(tenancy.team.domain.clone())
}

fn action_info(state: &SimState, button: &FoundButton) -> SlackInteractionActionInfo {
    SlackInteractionActionInfo::new(
        SlackActionType("button".to_owned()),
        button.action_id.clone().into(),
    )
    .opt_block_id(button.block_id.clone().map(Into::into))
    .with_text(SlackBlockText::Plain(
        SlackBlockPlainText::new(button.text.clone()).with_emoji(true),
    ))
    .opt_value(button.value.clone())
    .with_action_ts(state.clock.next_message_ts().into())
}

fn interaction_object(
    state: &SimState,
    tenancy: &Tenancy,
    event: SlackInteractionBlockActionsEvent,
) -> Result<Map<String, Value>, SimError> {
    let mut payload = object(serde_json::to_value(SlackInteractionEvent::BlockActions(
        event,
    ))?);
    payload.insert("token".into(), json!(state.config.verification_token));
    payload.insert(
        "is_enterprise_install".into(),
        json!(tenancy.is_enterprise_install),
    );
    let enterprise = tenancy
        .enterprise
        .as_ref()
        .map(|org| json!({ "id": org.id, "name": org.name }));
    payload.insert("enterprise".into(), enterprise.unwrap_or(Value::Null));
    // The team names its org, which SlackBasicTeamInfo does not model.
    if let (Some(org), Some(Value::Object(team))) = (&tenancy.enterprise, payload.get_mut("team")) {
        team.insert("enterprise_id".into(), json!(org.id));
        team.insert("enterprise_name".into(), json!(org.name));
    }
    Ok(payload)
}

/// How Slack names a conversation in payloads.
fn channel_name(kind: ConversationKind, name: &str) -> String {
    match kind {
        ConversationKind::Im => "directmessage".to_owned(),
        _ => name.to_owned(),
    }
}

fn parse_url(url: &str) -> Result<url::Url, SimError> {
    url.parse()
        .map_err(|error| SimError::Encoding(format!("response_url {url:?}: {error}")))
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(object) => object,
        _ => Map::new(),
    }
}
