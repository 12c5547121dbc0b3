//! auth.test, team.info and apps.connections.open.

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::caller::Ctx;
use super::envelope::{ApiError, ApiResult, ok};
use super::params::Params;
use crate::slack::state::SimState;
use crate::slack::workspace::{OrgIdentity, TeamIdentity};
use crate::sync::lock;

pub(super) fn auth_test(state: &SimState, ctx: &Ctx) -> ApiResult {
    let world = lock(&state.world);
    // An org-wide token answers for the org; a workspace token for its workspace (and
    // names the org it is in, if any).
    let (team_id, team_name, url) = match (&ctx.enterprise, ctx.is_enterprise_install()) {
        (Some(org), true) => (org.id.clone(), org.name.clone(), org_url(org)),
        _ => {
            let workspace = ctx.workspace(&world)?;
            (
                workspace.team.id.clone(),
                workspace.team.name.clone(),
                team_url(&workspace.team),
            )
        }
    };
    let url = url.parse().map_err(|_| ApiError::new("fatal_error"))?;
    let bot_name = state.config.app_name.to_lowercase().replace(' ', "_");
    let mut body = ok(SlackApiAuthTestResponse::new(
        ctx.bot_user_id.clone().into(),
        team_id.into(),
        team_name,
        SlackTeamUrl(url),
    )
    .with_user(bot_name)
    .with_bot_id(ctx.bot_id.clone().into()))?;
    // Fields slack-morphism's response model leaves out.
    body["is_enterprise_install"] = json!(ctx.is_enterprise_install());
    if let Some(org) = &ctx.enterprise {
        body["enterprise_id"] = json!(org.id);
    }
    Ok(body)
}

/// team.info: the workspace the token acts in, or the one `team` names (an org-wide
/// token may name any workspace of its org; a workspace token only its own).
pub(super) fn team_info(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let wanted = params.text("team").unwrap_or_else(|| ctx.team.clone());
    if !ctx.teams.contains(&wanted) {
        return Err(ApiError::new("team_not_found"));
    }
    let world = lock(&state.world);
    let workspace = world
        .workspace(&wanted)
        .ok_or_else(|| ApiError::new("team_not_found"))?;
    let info = SlackTeamInfo::new(workspace.team.id.clone().into())
        .with_name(workspace.team.name.clone())
        .with_domain(workspace.team.domain.clone())
        .with_email_domain(format!("{}.example.com", workspace.team.domain));
    let mut team = serde_json::to_value(info).map_err(|_| ApiError::new("fatal_error"))?;
    team["icon"] = json!({ "image_default": true });
    if let (Value::Object(team), Some(org)) = (&mut team, &workspace.enterprise) {
        // team.info names a workspace's org; slack-morphism's SlackTeamInfo does not.
        team.insert("enterprise_id".into(), json!(org.id));
        team.insert("enterprise_name".into(), json!(org.name));
    }
    Ok(json!({ "ok": true, "team": team }))
}

pub(super) fn apps_connections_open(state: &SimState) -> ApiResult {
    let ticket = state.change(|world| world.new_token());
    state.socket_mode.issue_ticket(&ticket);
    let url = format!(
        "{}/link/?ticket={ticket}&app_id={}",
        state.base_url.replacen("http://", "ws://", 1),
        state.identity.app_id
    )
    .parse()
    .map_err(|_| ApiError::new("fatal_error"))?;
    ok(SlackApiAppsConnectionOpenResponse::new(SlackWebSocketsUrl(
        url,
    )))
}

pub(crate) fn team_url(team: &TeamIdentity) -> String {
    format!("https://{}.slack.com/", team.domain)
}

pub(crate) fn org_url(org: &OrgIdentity) -> String {
    format!("https://{}.enterprise.slack.com/", org.domain)
}
