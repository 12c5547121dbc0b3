//! `POST /api/messages`: where Teams delivers activities. Every request is
//! authenticated before anything else happens; a refused one is answered 403 and
//! nothing of it is processed or stored.

mod commands;
mod feedback;
mod membership;
mod text;

use std::sync::Arc;

use async_trait::async_trait;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

use super::activity::Activity;
use super::auth::{SigningKeys, TokenVerifier};
use super::chat::TeamsChat;
use super::render::ACTION_FIELD;
use super::{TeamsConfig, TeamsError};
use crate::bot::{ApplyError, Bot, DeliverySource, Inbound};
use crate::chat::Chat;
use crate::domain::WorkspaceId;

/// Where Teams delivers activities (the bot's "messaging endpoint").
pub const MESSAGES_PATH: &str = "/api/messages";

/// Everything the endpoint needs. Cheap to clone.
#[derive(Clone)]
pub struct TeamsEndpoint {
    bot: Bot,
    chat: TeamsChat,
    workspace: WorkspaceId,
    verifier: Arc<TokenVerifier>,
}

impl std::fmt::Debug for TeamsEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamsEndpoint")
            .field("workspace", &self.workspace)
            .finish_non_exhaustive()
    }
}

impl TeamsEndpoint {
    pub fn new(
        config: &TeamsConfig,
        bot: Bot,
        chat: TeamsChat,
        workspace: WorkspaceId,
    ) -> Result<Self, TeamsError> {
        let keys = SigningKeys::new(super::http_client()?, config.openid_metadata_url.clone());
        Ok(Self {
            bot,
            chat,
            workspace,
            verifier: Arc::new(TokenVerifier::new(config.app_id.clone(), keys)),
        })
    }

    fn inbound(&self) -> Inbound<'_> {
        Inbound {
            workspace: self.workspace,
            chat: &self.chat,
        }
    }
}

/// The Teams routes, to merge into the bot's router (which sets the body limit).
pub fn routes(endpoint: TeamsEndpoint) -> Router {
    Router::new()
        .route(MESSAGES_PATH, post(receive))
        .with_state(endpoint)
}

async fn receive(
    State(endpoint): State<TeamsEndpoint>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // What the token must vouch for is read from the body, so the body is parsed first;
    // nothing in it is acted on before the token checks out.
    let raw: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let field = |name: &str| raw.get(name).and_then(Value::as_str).unwrap_or_default();
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    if let Err(reason) = endpoint
        .verifier
        .verify(authorization, field("serviceUrl"), field("channelId"))
        .await
    {
        tracing::warn!(%reason, "refused an activity: its token did not check out");
        return StatusCode::FORBIDDEN.into_response();
    }
    let activity: Activity = match serde_json::from_value(raw.clone()) {
        Ok(activity) => activity,
        Err(err) => {
            tracing::warn!(error = %err, "an authenticated activity could not be read");
            return StatusCode::BAD_REQUEST.into_response();
        }
    };
    if activity.tenant_id() != Some(endpoint.chat.tenant_id()) {
        tracing::info!(kind = %activity.kind, "ignored an activity from another tenant");
        return StatusCode::OK.into_response();
    }
    let Some(key) = delivery_key(&activity) else {
        // Nothing to recognise a redelivery by: applied once, as it comes.
        if let Err(err) = handle(&endpoint, &activity).await {
            tracing::warn!(error = %err, "an activity without an id could not be applied");
        }
        return StatusCode::OK.into_response();
    };
    match endpoint.bot.record_delivery(&key, Some(&raw)).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::debug!(%key, "activity already taken; Teams redelivered it");
            return StatusCode::OK.into_response();
        }
        // Not recorded: not acknowledged either, so Teams may deliver it again.
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
    // Applied before Teams gets its answer (replies go out first); if the database refused,
    // the rest of the tries happen in the background.
    match handle(&endpoint, &activity).await {
        Ok(()) => endpoint.bot.delivery_applied(&key).await,
        Err(ApplyError::GiveUp(why)) => {
            tracing::error!(%key, %why, "an activity cannot be applied; giving up on it");
            endpoint.bot.delivery_applied(&key).await;
        }
        Err(ApplyError::Retry(why)) => {
            tracing::info!(%key, %why, "an activity could not be applied yet; trying again");
            let endpoint = endpoint.clone();
            tokio::spawn(async move { endpoint.apply(&key, &activity).await });
        }
    }
    StatusCode::OK.into_response()
}

/// What a redelivery of this activity is recognised by.
fn delivery_key(activity: &Activity) -> Option<String> {
    let id = activity.id.as_ref()?;
    let conversation = activity.conversation.as_ref().map_or("", |c| c.id.as_str());
    Some(format!("{KEY_PREFIX}{conversation}:{id}"))
}

/// Keys of Teams activities.
const KEY_PREFIX: &str = "teams:";

impl TeamsEndpoint {
    /// Applies a recorded activity until the database takes it.
    async fn apply(&self, key: &str, activity: &Activity) {
        self.bot
            .apply_delivery(key, || handle(self, activity))
            .await;
    }
}

#[async_trait]
impl DeliverySource for TeamsEndpoint {
    async fn reapply_unapplied(&self) {
        let unapplied = match self.bot.unapplied_deliveries(KEY_PREFIX).await {
            Ok(unapplied) => unapplied,
            Err(err) => {
                tracing::warn!(error = %err, "cannot look for unapplied Teams activities");
                return;
            }
        };
        for delivery in unapplied {
            match serde_json::from_value::<Activity>(delivery.payload) {
                Ok(activity) => self.apply(&delivery.key, &activity).await,
                Err(err) => {
                    tracing::error!(key = %delivery.key, error = %err, "a stored activity cannot be read");
                    self.bot.delivery_applied(&delivery.key).await;
                }
            }
        }
    }
}

async fn handle(endpoint: &TeamsEndpoint, activity: &Activity) -> Result<(), ApplyError> {
    remember_where_from(endpoint, activity).await;
    match activity.kind.as_str() {
        "message" if is_card_submit(activity) => feedback::handle(endpoint, activity).await,
        "message" => {
            commands::handle(endpoint, activity).await;
            Ok(())
        }
        "conversationUpdate" => membership::handle(endpoint, activity).await,
        other => {
            tracing::debug!(kind = %other, "ignored an activity kind Pourover has no use for");
            Ok(())
        }
    }
}

fn is_card_submit(activity: &Activity) -> bool {
    activity
        .value
        .as_ref()
        .is_some_and(|value| value.get(ACTION_FIELD).is_some())
}

/// Learns what the activity tells about people and where Teams' API lives.
async fn remember_where_from(endpoint: &TeamsEndpoint, activity: &Activity) {
    let chat = &endpoint.chat;
    if let Some(url) = &activity.service_url
        && chat.set_service_url(url)
        && let Err(err) = endpoint
            .bot
            .remember_service_url(endpoint.workspace, url)
            .await
    {
        tracing::warn!(error = %err, "cannot store the tenant's serviceUrl");
    }
    let directory = chat.directory();
    if let Some(team) = activity.team() {
        directory.learn_team(&team.id, team.name.as_deref());
    }
    let Some(from) = &activity.from else {
        return;
    };
    let seen_in = activity
        .team()
        .map(|team| team.id.clone())
        .or_else(|| activity.conversation.as_ref().map(|c| c.id.clone()));
    directory.learn_person(&from.id, from.name.as_deref(), seen_in.as_deref());
    if activity.is_personal()
        && let Some(conversation) = &activity.conversation
    {
        directory.learn_personal_conversation(&from.id, &conversation.id);
    }
    // Teams' member records have no time zone; only the person's own client reports
    // it. When it is news, the stored profile is refreshed so intros show local times.
    if let Some(zone) = activity.sender_time_zone()
        && directory.learn_time_zone(&from.id, &zone)
    {
        match chat.user_profile(&from.id).await {
            Ok(profile) => {
                if let Err(err) = endpoint
                    .bot
                    .profile_changed(endpoint.inbound(), &profile)
                    .await
                {
                    tracing::warn!(error = %err, "could not store a time zone");
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not refresh a profile"),
        }
    }
    for (id, name, _) in activity.mentions() {
        directory.learn_person(&id, Some(&name), None);
    }
}
