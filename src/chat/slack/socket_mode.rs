//! Socket Mode: for workspaces whose bot cannot have a public URL. slack-morphism's
//! listener opens WebSockets through apps.connections.open (against `slack.api_url`) and
//! hands us the same slash commands, events and button presses HTTP mode receives; they go
//! through the same [`SlackInbound`] handlers. A slash command's acknowledgement carries
//! its reply, as the HTTP response body does.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use slack_morphism::prelude::*;

use super::client::{SlackHttpClient, SlackStartError};
use super::inbound::SlackInbound;
use crate::bot::NotRecorded;

/// A running Socket Mode listener; [`SocketMode::shutdown`] closes its connections.
pub struct SocketMode {
    listener: SlackClientSocketModeListener<SlackClientHyperHttpsConnector>,
}

impl std::fmt::Debug for SocketMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketMode").finish_non_exhaustive()
    }
}

impl SocketMode {
    /// Connects with the app-level token (`xapp-…`) and starts handing envelopes to
    /// `inbound`. Connections are retried by slack-morphism with back-off.
    pub async fn start(
        inbound: SlackInbound,
        client: Arc<SlackHttpClient>,
        app_token: &SecretString,
    ) -> Result<Self, SlackStartError> {
        let environment = SlackClientEventsListenerEnvironment::new(client)
            .with_error_handler(on_error)
            .with_user_state(inbound);
        let callbacks = SlackSocketModeListenerCallbacks::new()
            .with_command_events(on_command)
            .with_push_events(on_event)
            .with_interaction_events(on_interaction);
        let listener = SlackClientSocketModeListener::new(
            &SlackClientSocketModeConfig::new(),
            Arc::new(environment),
            callbacks,
        );
        let token = SlackApiToken::new(app_token.expose_secret().to_owned().into());
        listener
            .listen_for(&token)
            .await
            .map_err(|err| SlackStartError::SocketMode(err.to_string()))?;
        listener.start().await;
        tracing::info!("Socket Mode started");
        Ok(Self { listener })
    }

    pub async fn shutdown(self) {
        self.listener.shutdown().await;
        tracing::info!("Socket Mode stopped");
    }
}

type CallbackError = Box<dyn std::error::Error + Send + Sync>;

async fn inbound(states: &SlackClientEventsUserState) -> Result<SlackInbound, CallbackError> {
    states
        .read()
        .await
        .get_user_state::<SlackInbound>()
        .cloned()
        .ok_or_else(|| "Socket Mode listener started without its handlers".into())
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackHttpClient>,
    states: SlackClientEventsUserState,
) -> Result<SlackCommandEventResponse, CallbackError> {
    Ok(inbound(&states).await?.command(event).await)
}

async fn on_event(
    event: SlackPushEventCallback,
    _client: Arc<SlackHttpClient>,
    states: SlackClientEventsUserState,
) -> Result<(), CallbackError> {
    Ok(inbound(&states).await?.accept_event(event).await?)
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SlackHttpClient>,
    states: SlackClientEventsUserState,
) -> Result<(), CallbackError> {
    Ok(inbound(&states).await?.accept_interaction(event).await?)
}

/// Something Slack sent could not be handled. One the database could not record in time is
/// not acknowledged, so Slack sends it again; anything else is acknowledged anyway, since a
/// redelivery would fail the same way.
fn on_error(
    error: CallbackError,
    _client: Arc<SlackHttpClient>,
    _states: SlackClientEventsUserState,
) -> http::StatusCode {
    if error.downcast_ref::<NotRecorded>().is_some() {
        tracing::warn!("Socket Mode: not acknowledging an envelope that could not be recorded");
        return http::StatusCode::SERVICE_UNAVAILABLE;
    }
    tracing::warn!(error = %error, "Socket Mode: could not handle an envelope");
    http::StatusCode::OK
}
