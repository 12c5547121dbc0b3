//! Microsoft Teams through the Bot Framework: the only place Teams' types appear.
//!
//! - [`routes`] mounts `POST /api/messages`, where Teams delivers activities: each is
//!   authenticated ([`auth`]), deduplicated, and turned into calls on the bot's front
//!   door — typed commands, feedback buttons, a team install, members coming and going.
//! - [`TeamsChat`] implements [`crate::chat::Chat`] over the Bot Connector: 1:1
//!   conversations, posts and card updates, paged rosters — with client-credentials
//!   tokens, pacing under Microsoft's documented rate limits, and Teams' errors mapped
//!   to `ChatError`.
//!
//! A Teams *team* plays the part of a Slack channel: a program bound to a team has
//! `channel_id` = the team id, and the team's roster is the program's.

mod activity;
pub mod auth;
mod chat;
mod connector;
mod directory;
mod inbound;
mod pacing;
mod render;
mod token;

use secrecy::SecretString;

pub use auth::{AuthError, BOT_FRAMEWORK_ISSUER};
pub use chat::{DEFAULT_SERVICE_URL, TeamsChat};
pub use inbound::{MESSAGES_PATH, TeamsEndpoint, routes};

/// What the Teams adapter needs from settings.
#[derive(Debug, Clone)]
pub struct TeamsConfig {
    /// The bot's Microsoft App ID: the audience of incoming tokens, the client id of ours.
    pub app_id: String,
    pub app_password: SecretString,
    /// The tenant the bot serves; activities from any other are ignored.
    pub tenant_id: String,
    pub openid_metadata_url: String,
    pub token_url: String,
    /// `POUROVER_ADMINS`: Teams user ids (`29:…`) or Entra object ids.
    pub admins: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TeamsError {
    #[error("cannot build the HTTP client for Teams: {0}")]
    HttpClient(String),
}

fn http_client() -> Result<reqwest::Client, TeamsError> {
    reqwest::Client::builder()
        .user_agent(concat!("Pourover/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|err| TeamsError::HttpClient(err.to_string()))
}
