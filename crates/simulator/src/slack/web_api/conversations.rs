//! conversations.members, conversations.open, conversations.history.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::caller::Ctx;
use super::envelope::{ApiError, ApiResult, ok};
use super::pagination::{decode_cursor, encode_cursor, page};
use super::params::Params;
use crate::clock::ts_key;
use crate::slack::render::{channel_info, message_json};
use crate::slack::state::SimState;
use crate::slack::workspace::{Conversation, ConversationKind, StoredMessage};
use crate::sync::lock;

/// Slack's cap on people in a group DM besides the caller.
const MAX_DM_USERS: usize = 8;
const LIST_PAGE_DEFAULT: usize = 100;
const LIST_PAGE_MAX: usize = 1000;
const MEMBERS_PAGE_DEFAULT: usize = 100;
const MEMBERS_PAGE_MAX: usize = 1000;
const HISTORY_PAGE_DEFAULT: usize = 100;
const HISTORY_PAGE_MAX: usize = 999;

pub(super) fn members(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let channel = params
        .text("channel")
        .ok_or_else(|| ApiError::new("channel_not_found"))?;
    let limit = page_size(params, MEMBERS_PAGE_DEFAULT, MEMBERS_PAGE_MAX)?;
    let start = params
        .text("cursor")
        .map(|cursor| decode_cursor("member", &cursor))
        .transpose()?;
    let world = lock(&state.world);
    let conversation = ctx
        .workspace(&world)?
        .conversation(&channel)
        .ok_or_else(|| ApiError::new("channel_not_found"))?;
    let members: Vec<&String> = conversation.members.iter().collect();
    let (members, next) = page(&members, |id| (*id).clone(), start, limit);
    let response = SlackApiConversationsMembersResponse::new(
        members
            .iter()
            .map(|id| SlackUserId((*id).clone()))
            .collect(),
    )
    .with_response_metadata(
        SlackResponseMetadata::new()
            .opt_next_cursor(next.map(|id| encode_cursor("member", id).into())),
    );
    ok(response)
}

pub(super) fn list(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let limit = page_size(params, LIST_PAGE_DEFAULT, LIST_PAGE_MAX)?;
    let start = params
        .text("cursor")
        .map(|cursor| decode_cursor("channel", &cursor))
        .transpose()?;
    // Nothing is ever archived here, so `exclude_archived` changes nothing.
    let types = params
        .list("types")
        .unwrap_or_else(|| vec!["public_channel".to_owned()]);
    let wanted = |kind: ConversationKind| {
        let name = match kind {
            ConversationKind::PublicChannel => "public_channel",
            ConversationKind::PrivateChannel => "private_channel",
            ConversationKind::Im => "im",
            ConversationKind::Mpim => "mpim",
        };
        types.iter().any(|wanted| wanted == name)
    };
    let bot = &ctx.bot_user_id;
    // An org-wide token must say which workspace's channels it wants.
    if ctx.is_enterprise_install() && params.text("team_id").is_none() {
        return Err(ApiError::new("missing_argument").with_message("team_id is required"));
    }
    let world = lock(&state.world);
    // Slack lists private conversations only to their members.
    let visible: Vec<&Conversation> = ctx
        .workspace(&world)?
        .conversations
        .values()
        .filter(|conversation| wanted(conversation.kind))
        .filter(|conversation| {
            conversation.kind == ConversationKind::PublicChannel
                || conversation.members.contains(bot)
        })
        .collect();
    let (channels, next) = page(
        &visible,
        |conversation| conversation.id.clone(),
        start,
        limit,
    );
    let channels: Vec<Value> = channels
        .iter()
        .map(|conversation| channel_info(conversation, bot))
        .collect();
    let mut body = ok(
        SlackApiConversationsListResponse::new(Vec::new()).with_response_metadata(
            SlackResponseMetadata::new().opt_next_cursor(
                next.map(|conversation| encode_cursor("channel", &conversation.id).into()),
            ),
        ),
    )?;
    body["channels"] = Value::Array(channels);
    Ok(body)
}

pub(super) fn info(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let channel = params
        .text("channel")
        .ok_or_else(|| ApiError::new("channel_not_found"))?;
    let with_locale = params.flag("include_locale");
    let with_member_count = params.flag("include_num_members");
    let world = lock(&state.world);
    let conversation = ctx
        .workspace(&world)?
        .conversation(&channel)
        .ok_or_else(|| ApiError::new("channel_not_found"))?;
    let mut info = channel_info(conversation, &ctx.bot_user_id);
    if with_member_count {
        info["num_members"] = json!(conversation.members.len());
    }
    if with_locale {
        info["locale"] = json!("en-US");
    }
    ok(json!({ "channel": info }))
}

pub(super) fn open(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let return_im = params.flag("return_im");
    let now = state.now();
    let bot = ctx.bot_user_id.clone();
    state.change(|world| {
        let workspace = ctx.workspace_mut(world)?;
        let (id, already_open) = if let Some(channel) = params.text("channel") {
            let known_dm = workspace
                .conversation(&channel)
                .is_some_and(|conversation| !conversation.is_channel());
            if !known_dm {
                return Err(ApiError::new("channel_not_found"));
            }
            (channel, true)
        } else {
            let requested = params
                .list("users")
                .ok_or_else(|| ApiError::new("users_list_not_supplied"))?;
            let people: BTreeSet<String> = requested.into_iter().filter(|id| *id != bot).collect();
            if people.is_empty() {
                return Err(ApiError::new("not_enough_users"));
            }
            if people.len() > MAX_DM_USERS {
                return Err(ApiError::new("too_many_users"));
            }
            for id in &people {
                let user = workspace
                    .user(id)
                    .ok_or_else(|| ApiError::new("user_not_found"))?;
                if user.deleted {
                    return Err(ApiError::new("user_disabled"));
                }
                if user.is_bot && people.len() == 1 {
                    return Err(ApiError::new("cannot_dm_bot"));
                }
            }
            workspace.open_dm(&people, now)
        };
        let channel = match workspace.conversation(&id) {
            Some(conversation) if return_im => channel_info(conversation, &bot),
            _ => json!({ "id": id }),
        };
        let mut body = ok(json!({ "channel": channel }))?;
        if already_open {
            body["already_open"] = json!(true);
            body["no_op"] = json!(true);
        }
        Ok(body)
    })
}

pub(super) fn history(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let channel = params
        .text("channel")
        .ok_or_else(|| ApiError::new("channel_not_found"))?;
    let limit = page_size(params, HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX)?;
    let start = params
        .text("cursor")
        .map(|cursor| decode_cursor("next_ts", &cursor))
        .transpose()?;
    let latest = params.text("latest");
    let oldest = params.text("oldest");
    let inclusive = params.flag("inclusive");
    let with_metadata = params.flag("include_all_metadata");
    let world = lock(&state.world);
    let workspace = ctx.workspace(&world)?;
    let conversation = workspace
        .conversation(&channel)
        .ok_or_else(|| ApiError::new("channel_not_found"))?;
    if !conversation.members.contains(&ctx.bot_user_id) {
        return Err(ApiError::new("not_in_channel"));
    }
    let in_window = |message: &&StoredMessage| {
        let key = ts_key(&message.ts);
        let after_oldest = oldest.as_deref().is_none_or(|oldest| {
            let bound = ts_key(oldest);
            key > bound || (inclusive && key == bound)
        });
        let before_latest = latest.as_deref().is_none_or(|latest| {
            let bound = ts_key(latest);
            key < bound || (inclusive && key == bound)
        });
        after_oldest && before_latest
    };
    // Newest first, as Slack pages history.
    let newest_first: Vec<&StoredMessage> = conversation
        .messages
        .iter()
        .rev()
        .filter(|message| !message.deleted)
        .filter(in_window)
        .collect();
    let reversed_key = |message: &&StoredMessage| std::cmp::Reverse(ts_key(&message.ts));
    let (messages, next) = page(
        &newest_first,
        reversed_key,
        start.map(|ts| std::cmp::Reverse(ts_key(&ts))),
        limit,
    );
    let messages: Vec<Value> = messages
        .iter()
        .map(|message| message_json(message, workspace.team_id(), with_metadata))
        .collect();
    let mut body = ok(SlackApiConversationsHistoryResponse::new(Vec::new())
        .with_has_more(next.is_some())
        .with_pin_count(0)
        .with_response_metadata(
            SlackResponseMetadata::new()
                .opt_next_cursor(next.map(|message| encode_cursor("next_ts", &message.ts).into())),
        ))?;
    body["messages"] = Value::Array(messages);
    Ok(body)
}

fn page_size(params: &Params, default: usize, max: usize) -> Result<usize, ApiError> {
    Ok(params
        .count("limit", "invalid_limit")?
        .filter(|limit| *limit > 0)
        .unwrap_or(default)
        .min(max))
}
