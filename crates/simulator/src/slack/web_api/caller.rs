//! Who is calling: the token's kind and installation, and the workspace the call acts in.
//!
//! A workspace token acts in its own workspace only. An org-wide token (Enterprise
//! Grid) acts in any workspace of its org: the call names it with `team_id`, or Slack
//! finds it from the channel or user the call is about.

use std::time::Instant;

use axum::http::{HeaderMap, header};

use super::envelope::ApiError;
use super::methods::{MethodSpec, TokenKind};
use super::params::Params;
use crate::slack::oauth::registry::{InstallTarget, Installation};
use crate::slack::state::{SimState, World};
use crate::slack::workspace::{OrgIdentity, Workspace};
use crate::sync::lock;

/// A bot token's caller and the workspace its call acts in.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    /// The workspace the call acts in.
    pub team: String,
    /// Every workspace the token may act in.
    pub teams: Vec<String>,
    pub installation: InstallTarget,
    pub enterprise: Option<OrgIdentity>,
    pub bot_user_id: String,
    pub bot_id: String,
}

impl Ctx {
    pub(crate) fn is_enterprise_install(&self) -> bool {
        matches!(self.installation, InstallTarget::Org(_))
    }

    /// The workspace the call acts in (`team_access_not_granted` if the org has none).
    pub(crate) fn workspace<'w>(&self, world: &'w World) -> Result<&'w Workspace, ApiError> {
        world
            .workspace(&self.team)
            .ok_or_else(|| ApiError::new("team_access_not_granted"))
    }

    pub(crate) fn workspace_mut<'w>(
        &self,
        world: &'w mut World,
    ) -> Result<&'w mut Workspace, ApiError> {
        world
            .workspace_mut(&self.team)
            .ok_or_else(|| ApiError::new("team_access_not_granted"))
    }
}

/// What authenticated the call.
#[derive(Debug, Clone)]
pub(crate) enum Credential {
    Bot(Ctx),
    /// The app-level token (`xapp-…`).
    App,
    /// No token: the method takes client credentials (`oauth.v2.access`).
    Client,
}

/// Checks the bearer token (or a `token` form/query parameter) against what `spec` wants.
///
/// No token: `not_authed`. An unknown token: `invalid_auth`. A known token of the wrong
/// kind (the app token on a bot method or vice versa): `not_allowed_token_type`. A bot
/// token of an uninstalled app: `account_inactive`; revoked: `token_revoked`; a rotated
/// token past its expiry: `token_expired`.
pub(crate) fn authenticate(
    state: &SimState,
    spec: &MethodSpec,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Credential, ApiError> {
    if spec.token == TokenKind::Client {
        return Ok(Credential::Client);
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty());
    let Some(token) = bearer.or(params.token.as_deref()) else {
        return Err(ApiError::new("not_authed"));
    };
    if token == state.config.app_token {
        return match spec.token {
            TokenKind::App => Ok(Credential::App),
            _ => Err(ApiError::new("not_allowed_token_type")),
        };
    }
    let world = lock(&state.world);
    let installation = world
        .installs
        .authenticate(token, Instant::now())
        .map_err(|refusal| ApiError::new(refusal.code()))?;
    if spec.token != TokenKind::Bot {
        return Err(ApiError::new("not_allowed_token_type"));
    }
    let teams = world.visible_teams(installation);
    let team = acting_team(&world, &teams, spec, params)?;
    Ok(Credential::Bot(ctx_for(installation, teams, team)))
}

fn ctx_for(installation: &Installation, teams: Vec<String>, team: String) -> Ctx {
    Ctx {
        team,
        teams,
        installation: installation.target.clone(),
        enterprise: installation.enterprise.clone(),
        bot_user_id: installation.bot_user_id.clone(),
        bot_id: installation.bot_id.clone(),
    }
}

/// Which of `teams` the call acts in.
fn acting_team(
    world: &World,
    teams: &[String],
    spec: &MethodSpec,
    params: &Params,
) -> Result<String, ApiError> {
    let declared = |name: &str| spec.params.contains(&name);
    let fallback = teams.first().cloned().unwrap_or_default();
    // A named workspace must be one the token may act in, whatever kind it is.
    if declared("team_id")
        && let Some(named) = params.text("team_id")
    {
        return if teams.contains(&named) {
            Ok(named)
        } else {
            Err(ApiError::new("team_access_not_granted"))
        };
    }
    if teams.len() <= 1 {
        return Ok(fallback);
    }
    if declared("team")
        && let Some(named) = params.text("team").filter(|named| teams.contains(named))
    {
        return Ok(named);
    }
    let in_teams = || {
        teams
            .iter()
            .filter_map(|team| world.workspace(team))
            .collect::<Vec<_>>()
    };
    if declared("channel")
        && let Some(channel) = params.text("channel")
    {
        if let Some(workspace) = in_teams()
            .into_iter()
            .find(|workspace| workspace.conversation(&channel).is_some())
        {
            return Ok(workspace.team.id.clone());
        }
        if let Some(team) = home_of(&in_teams(), &channel) {
            return Ok(team);
        }
    }
    for name in ["user", "user_id"] {
        if declared(name)
            && let Some(user) = params.text(name)
            && let Some(team) = home_of(&in_teams(), &user)
        {
            return Ok(team);
        }
    }
    if declared("users")
        && let Some(users) = params.list("users")
    {
        let shared = in_teams().into_iter().find(|workspace| {
            users
                .iter()
                .all(|user| workspace.is_member(user) || workspace.bot_user_id == *user)
        });
        if let Some(workspace) = shared {
            return Ok(workspace.team.id.clone());
        }
        if let Some(team) = users.first().and_then(|user| home_of(&in_teams(), user)) {
            return Ok(team);
        }
    }
    Ok(fallback)
}

/// The first workspace `user_id` is a member of.
fn home_of(workspaces: &[&Workspace], user_id: &str) -> Option<String> {
    workspaces
        .iter()
        .find(|workspace| workspace.is_member(user_id))
        .map(|workspace| workspace.team.id.clone())
}
