//! users.list, users.info, users.profile.get, team.profile.get.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::caller::Ctx;
use super::envelope::{ApiError, ApiResult, ok};
use super::pagination::{decode_cursor, encode_cursor, page};
use super::params::Params;
use crate::slack::render::slack_user;
use crate::slack::state::SimState;
use crate::slack::workspace::{
    DEPARTMENT_FIELD_ID, DEPARTMENT_FIELD_LABEL, SimUser, TEAM_FIELD_ID, TEAM_FIELD_LABEL,
    Workspace, team_profile,
};
use crate::sync::lock;

const USERS_PAGE_MAX: usize = 1000;

pub(super) fn users_list(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let limit = params
        .count("limit", "invalid_limit")?
        .filter(|limit| *limit > 0)
        .unwrap_or(USERS_PAGE_MAX)
        .min(USERS_PAGE_MAX);
    let start = params
        .text("cursor")
        .map(|cursor| decode_cursor("user", &cursor))
        .transpose()?;
    let with_locale = params.flag("include_locale");
    let world = lock(&state.world);
    // An org-wide token without `team_id` lists the whole org, each person once.
    let teams = if ctx.is_enterprise_install() && params.text("team_id").is_none() {
        ctx.teams.clone()
    } else {
        vec![ctx.team.clone()]
    };
    let mut listed: BTreeMap<&str, (&Workspace, &SimUser)> = BTreeMap::new();
    for team in &teams {
        if let Some(workspace) = world.workspace(team) {
            for user in workspace.members() {
                listed.entry(&user.id).or_insert((workspace, user));
            }
        }
    }
    if listed.is_empty() && world.workspace(&ctx.team).is_none() {
        return Err(ApiError::new("team_access_not_granted"));
    }
    let users: Vec<(&Workspace, &SimUser)> = listed.into_values().collect();
    let (members, next) = page(&users, |(_, user)| user.id.clone(), start, limit);
    let members = members
        .iter()
        .map(|(workspace, user)| locale(slack_user(&world, workspace, user, false), with_locale))
        .collect();
    let next_cursor = next.map(|(_, user)| encode_cursor("user", &user.id));
    let response = SlackApiUsersListResponse::new(members).with_response_metadata(
        SlackResponseMetadata::new().opt_next_cursor(next_cursor.map(Into::into)),
    );
    let mut body = ok(response)?;
    body["cache_ts"] = json!(state.now());
    Ok(body)
}

pub(super) fn users_info(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let user_id = params
        .text("user")
        .ok_or_else(|| ApiError::new("user_not_found"))?;
    let with_locale = params.flag("include_locale");
    let world = lock(&state.world);
    let workspace = ctx.workspace(&world)?;
    let user = workspace
        .user(&user_id)
        .ok_or_else(|| ApiError::new("user_not_found"))?;
    ok(SlackApiUsersInfoResponse::new(locale(
        // Like Slack, users.info leaves custom profile fields out: users.profile.get
        // has them.
        slack_user(&world, workspace, user, false),
        with_locale,
    )))
}

pub(super) fn users_profile_get(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    // Without `user`, Slack answers for the token's own user: here, the bot.
    let user_id = params
        .text("user")
        .unwrap_or_else(|| ctx.bot_user_id.clone());
    let with_labels = params.flag("include_labels");
    let world = lock(&state.world);
    let workspace = ctx.workspace(&world)?;
    let user = workspace
        .user(&user_id)
        .ok_or_else(|| ApiError::new("user_not_found"))?;
    let profile = user.profile(workspace.team_id(), true);
    let mut body = ok(SlackApiUsersProfileGetResponse::new(profile))?;
    if with_labels {
        add_field_labels(&mut body["profile"]["fields"]);
    }
    Ok(body)
}

pub(super) fn team_profile_get() -> ApiResult {
    // `visibility` filters hidden fields; ours are all visible.
    ok(SlackApiTeamProfileGetResponse::new(team_profile()))
}

fn locale(user: SlackUser, include: bool) -> SlackUser {
    if include {
        user.with_locale("en-US".into())
    } else {
        user
    }
}

/// `include_labels` adds each field's label next to its value.
fn add_field_labels(fields: &mut Value) {
    if let Value::Object(fields) = fields {
        for (id, label) in [
            (DEPARTMENT_FIELD_ID, DEPARTMENT_FIELD_LABEL),
            (TEAM_FIELD_ID, TEAM_FIELD_LABEL),
        ] {
            if let Some(Value::Object(field)) = fields.get_mut(id) {
                field.insert("label".into(), json!(label));
            }
        }
    }
}
