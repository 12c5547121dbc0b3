//! Turning an approved install into an installation with tokens, and the
//! `oauth.v2.access` answer describing it.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::registry::{InstallTarget, Installation, TokenPolicy};
use crate::slack::state::{SimState, World};

/// The token policy the app's settings give: rotation on or off.
pub(crate) fn token_policy(state: &SimState) -> TokenPolicy {
    TokenPolicy {
        lifetime: state
            .config
            .token_rotation
            .then(|| state.clock.real_duration(state.config.token_lifetime)),
    }
}

/// Installs the app for `target`, approved by `installer` with `scopes`; `None` if the
/// workspace or org does not exist.
pub(crate) fn install(
    state: &SimState,
    world: &mut World,
    target: InstallTarget,
    installer: String,
    scopes: Vec<String>,
) -> Option<Installation> {
    let (team, enterprise, bot_user_id, bot_id) = match &target {
        InstallTarget::Team(team_id) => {
            let workspace = world.workspace(team_id)?;
            (
                Some(workspace.team.clone()),
                workspace.enterprise.clone(),
                workspace.bot_user_id.clone(),
                workspace.bot_id.clone(),
            )
        }
        InstallTarget::Org(enterprise_id) => {
            let org = world.orgs.get(enterprise_id)?;
            let first = org.teams.first().and_then(|team| world.workspace(team))?;
            (
                None,
                Some(org.identity.clone()),
                first.bot_user_id.clone(),
                first.bot_id.clone(),
            )
        }
    };
    let installation = Installation {
        target,
        team,
        enterprise,
        bot_user_id,
        bot_id,
        scopes,
        installer,
        active: true,
        rotating: false,
        bot_token: String::new(),
        refresh_token: None,
        expires_at: None,
    };
    let policy = token_policy(state);
    let World { installs, ids, .. } = world;
    Some(installs.install(installation, policy, ids, Instant::now()))
}

/// `oauth.v2.access`'s answer for `installation` (install and refresh alike): the model's
/// fields, plus what it lacks — `enterprise`, `is_enterprise_install`, and with rotation
/// `refresh_token` and `expires_in` (the real seconds the app has, the lifetime scaled by
/// the time scale). An org-wide install has `team: null`.
pub(crate) fn token_response(state: &SimState, installation: &Installation) -> Value {
    let team = installation.team.as_ref().map_or_else(
        || SlackTeamInfo::new(String::new().into()),
        |team| SlackTeamInfo::new(team.id.clone().into()).with_name(team.name.clone()),
    );
    let model = SlackOAuthV2AccessTokenResponse::new(
        installation.bot_token.clone().into(),
        SlackApiTokenType::Bot,
        SlackApiTokenScope(installation.scopes.join(",")),
        state.identity.app_id.clone().into(),
        team,
        SlackOAuthV2AuthedUser::new(installation.installer.clone().into()),
    )
    .with_bot_user_id(installation.bot_user_id.clone().into());
    let mut body = serde_json::to_value(model).unwrap_or_else(|_| json!({}));
    if installation.team.is_none() {
        body["team"] = Value::Null;
    }
    body["enterprise"] = installation
        .enterprise
        .as_ref()
        .map_or(Value::Null, |org| json!({ "id": org.id, "name": org.name }));
    body["is_enterprise_install"] = json!(installation.is_enterprise_install());
    if let (Some(refresh_token), Some(expires_at)) =
        (&installation.refresh_token, installation.expires_at)
    {
        body["refresh_token"] = json!(refresh_token);
        body["expires_in"] = json!(whole_seconds(
            expires_at.saturating_duration_since(Instant::now())
        ));
    }
    body["ok"] = json!(true);
    body
}

/// Whole seconds, rounded up, at least 1: a lifetime never reads as already over.
fn whole_seconds(duration: Duration) -> u64 {
    (duration.as_secs_f64().ceil() as u64).max(1)
}
