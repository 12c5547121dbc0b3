//! The Slack simulator: a workspace on loopback speaking Slack's Web API, Events API,
//! interactivity and Socket Mode wire formats.

mod company;
mod config;
mod driver;
mod faults;
pub mod mrkdwn;
mod mutations;
mod rate_limit;
mod recorder;
mod render;
mod response_url;
pub mod signing;
mod socket_mode;
mod state;
pub mod web_api;
mod workspace;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{any, get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::{CompanySpec, SlackSimConfig};
pub use driver::{
    AppEndpoints, AppResponse, EventEnvelope, EventRetry, Forgery, SLACK_ACK_TIMEOUT,
    SlackAppDriver, UrlVerification,
};
pub use faults::{Fault, Faults};
pub use mutations::{EVENT_TYPES_PRODUCED, NewUser, ProfileUpdate};
pub use rate_limit::{RateClass, RateLimit, RateLimitPolicy};
pub use recorder::{
    ApiCall, AppDelivery, CallOutcome, Ephemeral, PublishedView, RecordedMessage, Recorder,
    ResponseUrlPost,
};
pub use response_url::ResponseUrlOrigin;
pub use workspace::{
    ConversationKind, DEPARTMENT_FIELD_ID, DEPARTMENT_FIELD_LABEL, MessageVersion, SimConversation,
    SimUser, TEAM_FIELD_ID, TEAM_FIELD_LABEL,
};

use crate::clock::SimClock;
use crate::error::SimError;
use crate::http_server::{HttpServer, ShutdownSignal};
use crate::sync::lock;
use state::SimState;
use workspace::{ConversationKind as Kind, Workspace};

/// A running simulated Slack workspace. Dropping it stops the server too; `shutdown`
/// also waits for it.
pub struct SlackSim {
    state: Arc<SimState>,
    server: Option<HttpServer>,
    stop: watch::Sender<bool>,
}

impl SlackSim {
    /// Invents the company and starts serving on `127.0.0.1` (port `config.port`, 0 for
    /// any free one).
    pub async fn start(config: SlackSimConfig, company: CompanySpec) -> Result<SlackSim, SimError> {
        let clock = SimClock::new(config.time_scale)?;
        let generated = company::generate(&config, &company)?;
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(SimError::Bind)?;
        let address = listener.local_addr().map_err(SimError::Bind)?;
        let base_url = format!("http://{address}");
        let workspace = Workspace::new(
            generated.users,
            generated.channels,
            generated.identity.bot_user_id.clone(),
            // A different stream from the company's: see `Workspace::ids`.
            config.seed ^ 0x5EED_0F5E_ED0F_u64,
        );
        let (stop, shutdown) = ShutdownSignal::new();
        let state = Arc::new(SimState::new(
            config,
            generated.identity,
            clock,
            workspace,
            base_url,
            shutdown.clone(),
        ));
        let router = Router::new()
            .route("/api/{method}", any(web_api::serve))
            .route("/link/", get(socket_mode::connect))
            .route("/link", get(socket_mode::connect))
            .route("/response/{token}", post(response_url::receive))
            .with_state(state.clone());
        let server = HttpServer::start(listener, router, shutdown);
        tracing::info!(api_url = %format!("{}/api", state.base_url), "Slack simulator listening");
        Ok(SlackSim {
            state,
            server: Some(server),
            stop,
        })
    }

    /// What slack-morphism's `with_slack_api_url` wants: `http://127.0.0.1:PORT/api`.
    pub fn api_url(&self) -> String {
        format!("{}/api", self.state.base_url)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    pub fn port(&self) -> u16 {
        self.server
            .as_ref()
            .map_or(0, |server| server.address().port())
    }

    pub fn config(&self) -> &SlackSimConfig {
        &self.state.config
    }

    /// The app's id (`A…`).
    pub fn app_id(&self) -> &str {
        &self.state.identity.app_id
    }

    /// The app's bot user id (`U…`), what auth.test returns as `user_id`.
    pub fn bot_user_id(&self) -> &str {
        &self.state.identity.bot_user_id
    }

    /// The app's bot id (`B…`).
    pub fn bot_id(&self) -> &str {
        &self.state.identity.bot_id
    }

    /// Everyone in the workspace (people, guests, deactivated, bots, Slackbot), by id.
    pub fn users(&self) -> Vec<SimUser> {
        lock(&self.state.world)
            .workspace
            .users
            .values()
            .cloned()
            .collect()
    }

    pub fn user(&self, id: &str) -> Option<SimUser> {
        lock(&self.state.world).workspace.user(id).cloned()
    }

    /// Active full members (not bots, guests, deactivated or Slackbot).
    pub fn people(&self) -> Vec<SimUser> {
        self.users()
            .into_iter()
            .filter(|user| {
                !user.is_bot && !user.deleted && !user.is_restricted && user.id != "USLACKBOT"
            })
            .collect()
    }

    /// Public channels and their members.
    pub fn channels(&self) -> Vec<SimConversation> {
        self.conversations()
            .into_iter()
            .filter(|conversation| conversation.kind == Kind::PublicChannel)
            .collect()
    }

    /// The public channel called `name` (without `#`).
    pub fn channel_named(&self, name: &str) -> Option<SimConversation> {
        self.channels()
            .into_iter()
            .find(|channel| channel.name == name)
    }

    /// Every conversation: channels, IMs and group DMs.
    pub fn conversations(&self) -> Vec<SimConversation> {
        lock(&self.state.world)
            .workspace
            .conversations
            .values()
            .map(|conversation| conversation.summary())
            .collect()
    }

    pub fn conversation(&self, id: &str) -> Option<SimConversation> {
        lock(&self.state.world)
            .workspace
            .conversation(id)
            .map(|conversation| conversation.summary())
    }

    /// The IM or group DM whose members are exactly `people` plus the bot, if opened.
    pub fn dm_with(&self, people: &[&str]) -> Option<SimConversation> {
        let mut wanted: Vec<String> = people.iter().map(|id| (*id).to_owned()).collect();
        wanted.push(self.bot_user_id().to_owned());
        wanted.sort();
        wanted.dedup();
        self.conversations().into_iter().find(|conversation| {
            matches!(conversation.kind, Kind::Im | Kind::Mpim) && conversation.members == wanted
        })
    }

    pub fn recorder(&self) -> Recorder {
        Recorder::new(self.state.clone())
    }

    pub fn faults(&self) -> Faults {
        self.state.faults.clone()
    }

    /// Turns rate limiting on or off from now on.
    pub fn set_rate_limits(&self, enabled: bool) {
        self.state.set_rate_limits_enabled(enabled);
    }

    /// A driver delivering over HTTP to the app's `{base}/slack/commands`,
    /// `{base}/slack/events` and `{base}/slack/interactivity`.
    pub fn app(&self, app_base_url: &str) -> SlackAppDriver {
        SlackAppDriver::http(self.state.clone(), AppEndpoints::under(app_base_url))
    }

    /// A driver delivering over the app's Socket Mode connection(s).
    pub fn socket_mode_app(&self) -> SlackAppDriver {
        SlackAppDriver::socket_mode(self.state.clone())
    }

    /// How many Socket Mode connections the app has open.
    pub fn socket_mode_connections(&self) -> usize {
        self.state.socket_mode.connection_count()
    }

    /// Waits until the app has at least `count` Socket Mode connections open.
    pub async fn wait_for_socket_mode(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<(), SimError> {
        self.state
            .socket_mode
            .wait_for_connections(count, timeout)
            .await
    }

    /// Sends Slack's `disconnect` (e.g. reason "refresh_requested") on every Socket Mode
    /// connection; a well-behaved client opens a new one.
    pub fn socket_mode_disconnect(&self, reason: &str) {
        self.state.socket_mode.disconnect_all(reason);
    }

    /// Stops serving and waits for the server to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            server.stopped().await;
        }
    }
}

impl Drop for SlackSim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
