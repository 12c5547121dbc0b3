//! chat.postMessage, chat.postEphemeral, chat.update.

use serde_json::json;

use super::caller::Ctx;
use super::content::{Content, read_content};
use super::envelope::{ApiError, ApiResult, ok};
use super::params::Params;
use crate::slack::recorder::Ephemeral;
use crate::slack::render::message_json;
use crate::slack::state::SimState;
use crate::slack::workspace::{MessageVersion, StoredMessage, Workspace};

pub(super) fn post_message(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let requested = params.required("channel")?;
    let thread_ts = params.text("thread_ts");
    let now = state.now();
    let ts = state.clock.next_message_ts();
    state.change(|world| {
        let workspace = ctx.workspace_mut(world)?;
        let content = read_content(params, true, &mut || workspace.new_block_id())?;
        if !content.has_text_or_blocks() {
            return Err(ApiError::new("no_text"));
        }
        let channel = resolve_channel(workspace, &requested, now)?;
        let message = StoredMessage {
            ts: ts.clone(),
            user: ctx.bot_user_id.clone(),
            bot_id: Some(ctx.bot_id.clone()),
            app_id: Some(state.identity.app_id.clone()),
            thread_ts,
            current: version(content, now),
            earlier: Vec::new(),
            deleted: false,
            edited_ts: None,
        };
        let rendered = message_json(&message, workspace.team_id(), true);
        let conversation = workspace
            .conversation_mut(&channel)
            .ok_or_else(|| ApiError::new("channel_not_found"))?;
        conversation.push_message(message);
        ok(json!({ "channel": channel, "ts": ts, "message": rendered }))
    })
}

pub(super) fn post_ephemeral(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let requested = params.required("channel")?;
    let user = params.required("user")?;
    let thread_ts = params.text("thread_ts");
    let now = state.now();
    let message_ts = state.clock.next_message_ts();
    state.change(|world| {
        let (workspace, journal) = world
            .workspace_and_journal(&ctx.team)
            .ok_or_else(|| ApiError::new("team_access_not_granted"))?;
        let content = read_content(params, false, &mut || workspace.new_block_id())?;
        if !content.has_text_or_blocks() {
            return Err(ApiError::new("no_text"));
        }
        if workspace.user(&user).is_none() {
            return Err(ApiError::new("user_not_found"));
        }
        let channel = resolve_channel(workspace, &requested, now)?;
        let is_member = workspace
            .conversation(&channel)
            .is_some_and(|conversation| conversation.members.contains(&user));
        if !is_member {
            return Err(ApiError::new("user_not_in_channel"));
        }
        journal.ephemerals.push(Ephemeral {
            team_id: ctx.team.clone(),
            channel,
            user,
            text: content.text,
            blocks: content.blocks,
            thread_ts,
            message_ts: Some(message_ts.clone()),
            via_response_url: false,
        });
        ok(json!({ "message_ts": message_ts }))
    })
}

pub(super) fn update(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let channel = params.required("channel")?;
    let ts = params.required("ts")?;
    let now = state.now();
    let edited_ts = state.clock.next_message_ts();
    state.change(|world| {
        let workspace = ctx.workspace_mut(world)?;
        let team_id = workspace.team_id().to_owned();
        let content = read_content(params, true, &mut || workspace.new_block_id())?;
        let conversation = workspace
            .conversation_mut(&channel)
            .ok_or_else(|| ApiError::new("channel_not_found"))?;
        let message = conversation
            .message_mut(&ts)
            .filter(|message| !message.deleted)
            .ok_or_else(|| ApiError::new("message_not_found"))?;
        if message.user != ctx.bot_user_id {
            return Err(ApiError::new("cant_update_message"));
        }
        if content.text.is_none() && content.blocks.is_none() && message.current.blocks.is_none() {
            return Err(ApiError::new("no_text"));
        }
        // Slack keeps whatever the update leaves out: omitted blocks or metadata stay.
        let next = MessageVersion {
            text: content
                .text
                .clone()
                .or_else(|| message.current.text.clone()),
            blocks: content.blocks.or_else(|| message.current.blocks.clone()),
            metadata: content
                .metadata
                .or_else(|| message.current.metadata.clone()),
            at: now,
        };
        message.replace_content(next);
        message.edited_ts = Some(edited_ts.clone());
        let rendered = message_json(message, &team_id, true);
        ok(json!({
            "channel": channel,
            "ts": ts,
            "text": rendered.get("text").cloned().unwrap_or_default(),
            "message": rendered,
        }))
    })
}

fn version(content: Content, at: i64) -> MessageVersion {
    MessageVersion {
        text: content.text,
        blocks: content.blocks,
        metadata: content.metadata,
        at,
    }
}

/// The conversation a `channel` parameter means. A user id means the bot's IM with that
/// user (opened if needed), as Slack does; posting there works even for a deactivated
/// user (their DM history still exists), but not for another app's bot.
fn resolve_channel(
    workspace: &mut Workspace,
    requested: &str,
    now: i64,
) -> Result<String, ApiError> {
    if requested.starts_with('U') || requested.starts_with('W') {
        let user = workspace
            .user(requested)
            .ok_or_else(|| ApiError::new("channel_not_found"))?;
        if user.is_bot && user.id != workspace.bot_user_id {
            return Err(ApiError::new("cannot_dm_bot"));
        }
        return Ok(workspace.im_with(requested, now));
    }
    let conversation = workspace
        .conversation(requested)
        .ok_or_else(|| ApiError::new("channel_not_found"))?;
    if !conversation.members.contains(&workspace.bot_user_id) {
        return Err(ApiError::new("not_in_channel"));
    }
    Ok(conversation.id.clone())
}
