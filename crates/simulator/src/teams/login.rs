//! Bot Framework's identity endpoints: the OpenID metadata and signing keys the bot
//! validates incoming tokens with, and the client-credentials token endpoint it gets
//! outgoing tokens from.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::json;

use crate::sync::lock;

use super::recorder::TokenRequest;
use super::state::TeamsState;

/// The issuer Bot Framework's tokens to bots carry.
pub const BOT_FRAMEWORK_ISSUER: &str = "https://api.botframework.com";
/// The scope a bot asks for to call the connector.
pub const CONNECTOR_SCOPE: &str = "https://api.botframework.com/.default";

pub(crate) const OPENID_PATH: &str = "/botframework/v1/.well-known/openidconfiguration";
pub(crate) const JWKS_PATH: &str = "/botframework/v1/.well-known/keys";

pub(crate) async fn openid_metadata(State(state): State<Arc<TeamsState>>) -> Response {
    state.change(|world| world.journal.openid_fetches += 1);
    Json(json!({
        "issuer": BOT_FRAMEWORK_ISSUER,
        "authorization_endpoint": "https://invalid.botframework.com",
        "jwks_uri": format!("{}{JWKS_PATH}", state.base_url),
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    }))
    .into_response()
}

pub(crate) async fn jwks(State(state): State<Arc<TeamsState>>) -> Response {
    state.change(|world| world.journal.jwks_fetches += 1);
    let keys = lock(&state.keys).jwks();
    Json(keys).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

/// `POST /login/{tenant}/oauth2/v2.0/token`, answering as Entra ID does.
pub(crate) async fn token(
    State(state): State<Arc<TeamsState>>,
    Form(form): Form<TokenForm>,
) -> Response {
    let client_id = form.client_id.clone().unwrap_or_default();
    let refusal = if form.grant_type.as_deref() != Some("client_credentials") {
        Some((
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "AADSTS70003: The app requested an unsupported grant type.",
        ))
    } else if client_id != state.config.app_id {
        Some((
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "AADSTS700016: Application was not found in the directory.",
        ))
    } else if form.client_secret.as_deref() != Some(state.config.app_password.as_str()) {
        Some((
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided.",
        ))
    } else if form.scope.as_deref() != Some(CONNECTOR_SCOPE) {
        Some((
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "AADSTS70011: The provided value for the input parameter 'scope' is not valid.",
        ))
    } else {
        None
    };
    let lifetime = state.clock.real_duration(state.config.token_lifetime);
    let issued = state.change(|world| {
        world.journal.token_requests.push(TokenRequest {
            client_id,
            granted: refusal.is_none(),
            at: SystemTime::now(),
        });
        refusal.is_none().then(|| {
            let token = format!("sim.{}", world.tenant.new_token(64));
            world
                .tenant
                .tokens
                .insert(token.clone(), Instant::now() + lifetime);
            token
        })
    });
    match (issued, refusal) {
        // Real seconds, like Retry-After: the bot times its cache with its own clock.
        (Some(token), _) => Json(json!({
            "token_type": "Bearer",
            "expires_in": lifetime.as_secs().max(1),
            "ext_expires_in": lifetime.as_secs().max(1),
            "access_token": token,
        }))
        .into_response(),
        (None, Some((status, error, description))) => (
            status,
            Json(json!({ "error": error, "error_description": description })),
        )
            .into_response(),
        (None, None) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
