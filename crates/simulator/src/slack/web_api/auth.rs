//! Tokens, auth.test and apps.connections.open.

use axum::http::{HeaderMap, header};
use slack_morphism::prelude::*;

use super::envelope::{ApiError, ApiResult, ok};
use super::methods::{MethodSpec, TokenKind};
use super::params::Params;
use crate::slack::state::SimState;

/// Checks the bearer token (or a `token` form/query parameter) against what `spec` wants.
///
/// No token: `not_authed`. An unknown token: `invalid_auth`. A known token of the wrong
/// kind (the app token on a bot method or vice versa): `not_allowed_token_type`.
pub(super) fn authenticate(
    state: &SimState,
    spec: &MethodSpec,
    headers: &HeaderMap,
    params: &Params,
) -> Result<(), ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty());
    let Some(token) = bearer.or(params.token.as_deref()) else {
        return Err(ApiError::new("not_authed"));
    };
    let kind = if token == state.config.bot_token {
        TokenKind::Bot
    } else if token == state.config.app_token {
        TokenKind::App
    } else {
        return Err(ApiError::new("invalid_auth"));
    };
    if kind == spec.token {
        Ok(())
    } else {
        Err(ApiError::new("not_allowed_token_type"))
    }
}

pub(super) fn auth_test(state: &SimState) -> ApiResult {
    let config = &state.config;
    let url = format!("https://{}.slack.com/", config.team_domain)
        .parse()
        .map_err(|_| ApiError::new("fatal_error"))?;
    let bot_name = config.app_name.to_lowercase().replace(' ', "_");
    ok(SlackApiAuthTestResponse::new(
        state.identity.bot_user_id.clone().into(),
        config.team_id.clone().into(),
        config.team_name.clone(),
        SlackTeamUrl(url),
    )
    .with_user(bot_name)
    .with_bot_id(state.identity.bot_id.clone().into()))
}

pub(super) fn apps_connections_open(state: &SimState) -> ApiResult {
    let ticket = state.change(|world| world.workspace.new_token());
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
