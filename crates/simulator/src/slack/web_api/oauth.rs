//! oauth.v2.access: exchanging an authorization code for an installation's tokens, or
//! (token rotation) a refresh token for the next pair.
//!
//! The app authenticates with its client id and secret, in HTTP Basic auth (what Slack
//! recommends, and what slack-morphism sends) or as `client_id`/`client_secret`
//! parameters. Slack's errors: `invalid_client_id`, `bad_client_secret`, `invalid_code`
//! (unknown, used or expired), `bad_redirect_uri` (not the one the authorize request
//! named), `invalid_grant_type`, `invalid_refresh_token`.

use std::time::Instant;

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::envelope::{ApiError, ApiResult};
use super::params::Params;
use crate::slack::oauth::authorize::redirect_allowed;
use crate::slack::oauth::install::{install, token_policy, token_response};
use crate::slack::state::{SimState, World};

pub(super) fn access(state: &SimState, params: &Params, headers: &HeaderMap) -> ApiResult {
    let (client_id, client_secret) = client_credentials(headers, params);
    if client_id.as_deref() != Some(state.config.client_id.as_str()) {
        return Err(ApiError::new("invalid_client_id"));
    }
    if client_secret.as_deref() != Some(state.config.client_secret.as_str()) {
        return Err(ApiError::new("bad_client_secret"));
    }
    let grant_type = params
        .text("grant_type")
        .unwrap_or_else(|| "authorization_code".to_owned());
    match grant_type.as_str() {
        "authorization_code" => exchange_code(state, params),
        "refresh_token" => refresh(state, params),
        _ => Err(ApiError::new("invalid_grant_type")),
    }
}

fn exchange_code(state: &SimState, params: &Params) -> ApiResult {
    let code = params
        .text("code")
        .ok_or_else(|| ApiError::new("invalid_code"))?;
    let redirect_uri = params.text("redirect_uri");
    state.change(|world| {
        // Codes are one-time: a failed exchange spends it too.
        let pending = world
            .installs
            .take_code(&code, Instant::now())
            .ok_or_else(|| ApiError::new("invalid_code"))?;
        let redirect_ok = match (&pending.redirect_uri, &redirect_uri) {
            (Some(named), given) => given.as_ref() == Some(named),
            (None, Some(given)) => redirect_allowed(&world.redirect_urls, given),
            (None, None) => true,
        };
        if !redirect_ok {
            return Err(ApiError::new("bad_redirect_uri"));
        }
        let installation = install(
            state,
            world,
            pending.target,
            pending.installer,
            pending.scopes,
        )
        .ok_or_else(|| ApiError::new("invalid_code"))?;
        Ok(token_response(state, &installation))
    })
}

fn refresh(state: &SimState, params: &Params) -> ApiResult {
    let refresh_token = params
        .text("refresh_token")
        .ok_or_else(|| ApiError::new("invalid_refresh_token"))?;
    let policy = token_policy(state);
    state.change(|world| {
        let World { installs, ids, .. } = world;
        let installation = installs
            .refresh(&refresh_token, policy, ids, Instant::now())
            .map_err(ApiError::new)?;
        Ok(token_response(state, &installation))
    })
}

/// The client id and secret: HTTP Basic auth if present, else parameters.
fn client_credentials(headers: &HeaderMap, params: &Params) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
        });
    match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (params.text("client_id"), params.text("client_secret")),
    }
}
