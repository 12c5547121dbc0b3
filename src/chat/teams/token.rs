//! The bot's own access token for the Bot Connector: client credentials against the
//! configured token URL, cached until shortly before it expires, fetched again when the
//! connector says it is no longer good.

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::chat::ChatError;

/// The scope that grants access to the Bot Connector.
const CONNECTOR_SCOPE: &str = "https://api.botframework.com/.default";
/// Fetch a new token this long before the old one expires (at most half its life).
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

struct Cached {
    token: SecretString,
    refresh_at: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct TokenError {
    #[serde(default)]
    error: String,
}

pub(crate) struct AccessTokens {
    http: reqwest::Client,
    url: String,
    app_id: String,
    password: SecretString,
    /// Held across a fetch so concurrent callers share one.
    cached: Mutex<Option<Cached>>,
}

impl std::fmt::Debug for AccessTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessTokens")
            .field("url", &self.url)
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

impl AccessTokens {
    pub(crate) fn new(
        http: reqwest::Client,
        url: String,
        app_id: String,
        password: SecretString,
    ) -> Self {
        Self {
            http,
            url,
            app_id,
            password,
            cached: Mutex::new(None),
        }
    }

    /// A token that is good for a while yet.
    pub(crate) async fn current(&self) -> Result<SecretString, ChatError> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref().filter(|c| Instant::now() < c.refresh_at) {
            return Ok(token.token.clone());
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// The connector refused `rejected`: forget it, unless another caller already
    /// replaced it.
    pub(crate) async fn reject(&self, rejected: &SecretString) {
        let mut cached = self.cached.lock().await;
        if cached
            .as_ref()
            .is_some_and(|c| c.token.expose_secret() == rejected.expose_secret())
        {
            *cached = None;
        }
    }

    async fn fetch(&self) -> Result<Cached, ChatError> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.app_id.as_str()),
            ("client_secret", self.password.expose_secret()),
            ("scope", CONNECTOR_SCOPE),
        ];
        let response = self
            .http
            .post(&self.url)
            .form(&form)
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .map_err(|err| {
                ChatError::Transient(format!("token endpoint unreachable: {}", err.without_url()))
            })?;
        let status = response.status();
        if !status.is_success() {
            let code = response
                .json::<TokenError>()
                .await
                .map(|body| body.error)
                .unwrap_or_default();
            tracing::error!(%status, %code, "the token endpoint refused the bot's credentials; check TEAMS_APP_ID and TEAMS_APP_PASSWORD");
            return Err(ChatError::Transient(format!(
                "the token endpoint answered {status} {code}"
            )));
        }
        let body: TokenResponse = response.json().await.map_err(|err| {
            ChatError::Transient(format!("unreadable token response: {}", err.without_url()))
        })?;
        let lifetime = Duration::from_secs(body.expires_in);
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        tracing::debug!(
            expires_in = body.expires_in,
            "fetched a Bot Connector token"
        );
        Ok(Cached {
            token: SecretString::from(body.access_token),
            refresh_at: Instant::now() + lifetime - margin,
        })
    }
}
