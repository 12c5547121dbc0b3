//! The bot's connection to one Slack workspace: slack-morphism's client with our own
//! pacing, per-call timeout, error sorting and call metrics.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use slack_morphism::prelude::*;
use tokio::time::Instant;

use super::api::ApiMethod;
use super::errors::{classify, outcome_label, timed_out};
use super::profile::{TeamFieldIds, member_profile};
use super::rate_limit::{RateLimiter, RatePolicy};
use crate::chat::ChatError;
use crate::domain::MemberProfile;
use crate::settings::SlackSettings;
use crate::telemetry::metrics::{ChatCallLabels, Metrics};

/// slack-morphism's client over a connector that speaks https and plain http.
pub type SlackHttpClient = SlackClient<SlackClientHyperHttpsConnector>;

/// How long any one call may take before it counts as failed (transient).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Team field ids are looked up again after this long (admins rarely rename fields).
const TEAM_FIELDS_MAX_AGE: Duration = Duration::from_secs(3600);

/// Why the bot could not connect to Slack at start-up.
#[derive(Debug, thiserror::Error)]
pub enum SlackStartError {
    #[error("slack.bot_token is not set")]
    NoBotToken,
    #[error("cannot load TLS root certificates for Slack: {0}")]
    Tls(std::io::Error),
    #[error("Slack refused the bot token at {api_url} ({reason}); check SLACK_BOT_TOKEN")]
    Refused { api_url: String, reason: String },
    #[error("cannot reach Slack at {api_url}: {reason}")]
    Unreachable { api_url: String, reason: String },
    #[error("Socket Mode: {0}")]
    SocketMode(String),
}

/// Who the bot is, per auth.test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackIdentity {
    pub team_id: String,
    pub team_name: String,
    pub bot_user_id: String,
    pub bot_id: Option<String>,
}

/// What [`SlackChat::connect`] needs.
#[derive(Clone)]
pub struct SlackChatConfig {
    /// Web API base without a trailing slash.
    pub api_url: String,
    pub bot_token: SecretString,
    pub team_field: String,
    pub team_field_fallback: String,
    pub rate_limit_time_scale: f64,
    pub rate_policy: RatePolicy,
    pub call_timeout: Duration,
}

impl std::fmt::Debug for SlackChatConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackChatConfig")
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

impl SlackChatConfig {
    pub fn from_settings(settings: &SlackSettings) -> Result<Self, SlackStartError> {
        Ok(Self {
            api_url: settings.api_url.clone(),
            bot_token: settings
                .bot_token
                .clone()
                .ok_or(SlackStartError::NoBotToken)?,
            team_field: settings.team_field.clone(),
            team_field_fallback: settings.team_field_fallback.clone(),
            rate_limit_time_scale: settings.rate_limit_time_scale,
            rate_policy: RatePolicy::default(),
            call_timeout: CALL_TIMEOUT,
        })
    }
}

/// One Slack workspace as the bot's core sees it (`impl Chat` is in `outbound.rs`).
pub struct SlackChat {
    client: Arc<SlackHttpClient>,
    token: SlackApiToken,
    limiter: RateLimiter,
    metrics: Metrics,
    identity: SlackIdentity,
    team_labels: (String, String),
    team_fields: Mutex<Option<(Instant, TeamFieldIds)>>,
    call_timeout: Duration,
}

impl std::fmt::Debug for SlackChat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("SlackChat")
            .field("team_id", &self.identity.team_id)
            .finish_non_exhaustive()
    }
}

/// The https-or-http client every Slack call (and Socket Mode) goes through.
pub fn build_http_client(api_url: &str) -> Result<SlackHttpClient, SlackStartError> {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(SlackStartError::Tls)?
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    // slack-morphism's own rate control stays off: `RateLimiter` paces every call.
    Ok(SlackClient::new(
        SlackClientHyperConnector::with_connector(connector).with_slack_api_url(api_url),
    ))
}

impl SlackChat {
    /// Builds the client and asks Slack who the bot is (auth.test).
    pub async fn connect(
        config: SlackChatConfig,
        metrics: Metrics,
    ) -> Result<Self, SlackStartError> {
        let client = Arc::new(build_http_client(&config.api_url)?);
        let token = SlackApiToken::new(config.bot_token.expose_secret().to_owned().into());
        let mut chat = Self {
            client,
            token,
            limiter: RateLimiter::new(config.rate_policy, config.rate_limit_time_scale),
            metrics,
            identity: SlackIdentity {
                team_id: String::new(),
                team_name: String::new(),
                bot_user_id: String::new(),
                bot_id: None,
            },
            team_labels: (config.team_field, config.team_field_fallback),
            team_fields: Mutex::new(None),
            call_timeout: config.call_timeout,
        };
        let answer = {
            let session = chat.session();
            chat.send(ApiMethod::AuthTest, None, session.auth_test())
                .await
        }
        .map_err(|err| match err {
            ChatError::Permanent(reason) => SlackStartError::Refused {
                api_url: config.api_url.clone(),
                reason,
            },
            other => SlackStartError::Unreachable {
                api_url: config.api_url.clone(),
                reason: other.to_string(),
            },
        })?;
        chat.identity = SlackIdentity {
            team_id: answer.team_id.to_string(),
            team_name: answer.team,
            bot_user_id: answer.user_id.to_string(),
            bot_id: answer.bot_id.map(|id| id.to_string()),
        };
        Ok(chat)
    }

    pub fn identity(&self) -> &SlackIdentity {
        &self.identity
    }

    /// The underlying client (Socket Mode connects through it).
    pub fn http_client(&self) -> Arc<SlackHttpClient> {
        self.client.clone()
    }

    pub(super) fn session(&self) -> SlackClientSession<'_, SlackClientHyperHttpsConnector> {
        self.client.open_session(&self.token)
    }

    /// Runs one call: waits for its turn, bounds it by the call timeout, sorts its error,
    /// pauses the method on 429, and counts it.
    pub(super) async fn send<T>(
        &self,
        method: ApiMethod,
        conversation: Option<&str>,
        call: impl Future<Output = ClientResult<T>>,
    ) -> Result<T, ChatError> {
        self.limiter.acquire(method, conversation).await;
        let result = match tokio::time::timeout(self.call_timeout, call).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(error)) => Err(classify(&error)),
            Err(_) => Err(timed_out(self.call_timeout)),
        };
        if let Err(ChatError::RateLimited { retry_after }) = &result {
            tracing::warn!(
                method = method.name(),
                ?retry_after,
                "Slack rate-limited a call"
            );
            self.limiter.pause(method, conversation, *retry_after);
        }
        self.count(method, &result.as_ref().map(|_| ()));
        result
    }

    fn count(&self, method: ApiMethod, result: &Result<(), &ChatError>) {
        self.metrics
            .chat_calls
            .get_or_create(&ChatCallLabels {
                method: method.name().to_owned(),
                outcome: outcome_label(result).to_owned(),
            })
            .inc();
    }

    /// Answers a slash command or button press through its `response_url`.
    pub async fn respond(
        &self,
        response_url: &SlackResponseUrl,
        request: &SlackApiPostWebhookMessageRequest,
    ) -> Result<(), ChatError> {
        self.send(
            ApiMethod::ResponseUrl,
            None,
            self.client.respond_to_event(response_url, request),
        )
        .await
        .map(|_| ())
    }

    /// The neutral profile for `user`, with the team read from the configured fields.
    /// Custom fields missing from `user` (Slack leaves them out of some payloads) are
    /// fetched with users.profile.get, so a missing field never reads as "no team".
    pub async fn profile_of(&self, user: &SlackUser) -> Result<MemberProfile, ChatError> {
        let fields = self.team_field_ids().await?;
        let has_custom_fields = user
            .profile
            .as_ref()
            .is_some_and(|profile| profile.fields.is_some());
        let is_person = !user.flags.is_bot.unwrap_or(false) && !user.deleted.unwrap_or(false);
        let wants_fields = fields.primary.is_some() || fields.fallback.is_some();
        if has_custom_fields || !is_person || !wants_fields {
            // This is the full profile: whatever team it has (none, here) is the truth.
            return Ok(MemberProfile {
                without_team_fields: false,
                ..member_profile(user, &fields)
            });
        }
        let request = SlackApiUsersProfileGetRequest::new().with_user(user.id.clone());
        let session = self.session();
        let answer = self
            .send(
                ApiMethod::UsersProfileGet,
                None,
                session.users_profile_get(&request),
            )
            .await?;
        let mut completed = user.clone();
        let profile = completed
            .profile
            .get_or_insert_with(|| answer.profile.clone());
        profile.fields = answer.profile.fields.or_else(|| Some(Default::default()));
        Ok(member_profile(&completed, &fields))
    }

    /// The configured team fields' ids, from team.profile.get (cached).
    pub(super) async fn team_field_ids(&self) -> Result<TeamFieldIds, ChatError> {
        if let Some((fetched, ids)) = self.cached_team_fields()
            && fetched.elapsed() < TEAM_FIELDS_MAX_AGE
        {
            return Ok(ids);
        }
        let session = self.session();
        let answer = self
            .send(
                ApiMethod::TeamProfileGet,
                None,
                session.team_profile_get(&SlackApiTeamProfileGetRequest::new()),
            )
            .await;
        let (primary, fallback) = &self.team_labels;
        let ids = match answer {
            Ok(answer) => {
                let ids = TeamFieldIds::resolve(&answer.profile, primary, fallback);
                if ids.primary.is_none() && ids.fallback.is_none() {
                    tracing::warn!(
                        primary = %primary,
                        fallback = %fallback,
                        "no profile field has the configured team labels; teams come from `team <name>` only"
                    );
                }
                ids
            }
            // e.g. `missing_scope` (users.profile:read not granted): carry on without
            // profile teams rather than failing every lookup.
            Err(ChatError::Permanent(reason)) => {
                tracing::warn!(%reason, "cannot read the workspace's profile fields; teams come from `team <name>` only");
                TeamFieldIds::default()
            }
            Err(other) => return Err(other),
        };
        *self
            .team_fields
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((Instant::now(), ids.clone()));
        Ok(ids)
    }

    fn cached_team_fields(&self) -> Option<(Instant, TeamFieldIds)> {
        self.team_fields
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}
