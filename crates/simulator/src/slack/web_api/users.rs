//! users.list, users.info, users.profile.get, team.profile.get.

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::envelope::{ApiError, ApiResult, ok};
use super::pagination::{decode_cursor, encode_cursor, page};
use super::params::Params;
use crate::slack::state::SimState;
use crate::slack::workspace::{
    DEPARTMENT_FIELD_ID, DEPARTMENT_FIELD_LABEL, SimUser, TEAM_FIELD_ID, TEAM_FIELD_LABEL,
    team_profile,
};
use crate::sync::lock;

const USERS_PAGE_MAX: usize = 1000;

pub(super) fn users_list(state: &SimState, params: &Params) -> ApiResult {
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
    let team_id = &state.config.team_id;
    let world = lock(&state.world);
    let users: Vec<&SimUser> = world.workspace.users.values().collect();
    let (members, next) = page(&users, |user| user.id.clone(), start, limit);
    let members = members
        .iter()
        .map(|user| locale(user.to_slack(team_id, false), with_locale))
        .collect();
    let next_cursor = next.map(|user| encode_cursor("user", &user.id));
    let response = SlackApiUsersListResponse::new(members).with_response_metadata(
        SlackResponseMetadata::new().opt_next_cursor(next_cursor.map(Into::into)),
    );
    let mut body = ok(response)?;
    body["cache_ts"] = json!(state.now());
    Ok(body)
}

pub(super) fn users_info(state: &SimState, params: &Params) -> ApiResult {
    let user_id = params
        .text("user")
        .ok_or_else(|| ApiError::new("user_not_found"))?;
    let with_locale = params.flag("include_locale");
    let world = lock(&state.world);
    let user = world
        .workspace
        .user(&user_id)
        .ok_or_else(|| ApiError::new("user_not_found"))?;
    ok(SlackApiUsersInfoResponse::new(locale(
        // Like Slack, users.info leaves custom profile fields out: users.profile.get
        // has them.
        user.to_slack(&state.config.team_id, false),
        with_locale,
    )))
}

pub(super) fn users_profile_get(state: &SimState, params: &Params) -> ApiResult {
    // Without `user`, Slack answers for the token's own user: here, the bot.
    let user_id = params
        .text("user")
        .unwrap_or_else(|| state.identity.bot_user_id.clone());
    let with_labels = params.flag("include_labels");
    let world = lock(&state.world);
    let user = world
        .workspace
        .user(&user_id)
        .ok_or_else(|| ApiError::new("user_not_found"))?;
    let profile = user.profile(&state.config.team_id, true);
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
