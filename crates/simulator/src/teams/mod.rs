//! The Microsoft Teams simulator: a tenant on loopback speaking the Bot Framework's wire
//! formats — OpenID metadata and signing keys, the client-credentials token endpoint,
//! the Bot Connector API at a `serviceUrl`, and signed activities POSTed to the bot.
//!
//! It behaves like real Teams where a bot could tell the difference: 1:1 chats only,
//! no history to read back, `MessageWritesBlocked` when someone blocked the bot,
//! Microsoft's documented rate limits with `Retry-After`, paged rosters, and tokens
//! the bot must validate exactly as Bot Framework requires.
//!
//! ```no_run
//! # async fn demo() -> Result<(), pourover_simulator::SimError> {
//! use pourover_simulator::teams::{TeamsSim, TeamsSimConfig, TenantSpec};
//!
//! let sim = TeamsSim::start(TeamsSimConfig::default(), TenantSpec::default()).await?;
//! // Point the bot at `sim.openid_metadata_url()` and `sim.token_url()` with
//! // `sim.config().app_id` / `app_password`, start it on port 3000, then:
//! let bot = sim.bot("http://127.0.0.1:3000/api/messages");
//! let team = sim.teams().remove(0);
//! bot.install_in_team(&team.id, &team.members[0]).await?;
//! let answer = bot.message(&team.members[1], "join").await?;
//! assert!(answer.is_success());
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod config;
mod connector;
mod driver;
mod faults;
mod keys;
mod login;
pub mod markdown;
mod rate_limit;
mod recorder;
mod state;
mod tenant;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::{TeamSpec, TeamsSimConfig, TenantSpec};
pub use connector::PRECISE_RETRY_AFTER_HEADER;
pub use driver::{BotResponse, TEAMS_BOT_TIMEOUT, TeamsBotDriver, TokenForgery};
pub use faults::{ConnectorFault, ConnectorFaults, ConnectorOperation};
pub use login::{BOT_FRAMEWORK_ISSUER, CONNECTOR_SCOPE};
pub use rate_limit::{ConnectorRateLimits, Window};
pub use recorder::{
    ActivityDelivery, BotActivity, ConnectorCall, ConnectorOutcome, MAX_RECORDED_CALLS,
    TeamsRecorder, TokenRequest,
};
pub use tenant::{SimTeam, TeamsUser, UserRole};

use crate::clock::SimClock;
use crate::error::SimError;
use crate::http_server::{HttpServer, ShutdownSignal};
use crate::sync::lock;
use keys::{KeyMaterial, KeyRing};
use state::TeamsState;
use tenant::Tenant;

/// A running simulated Teams tenant. Dropping it stops the server too; `shutdown` also
/// waits for it.
pub struct TeamsSim {
    state: Arc<TeamsState>,
    server: Option<HttpServer>,
    stop: watch::Sender<bool>,
}

impl TeamsSim {
    /// Invents the tenant and starts serving on `127.0.0.1` (port `config.port`, 0 for
    /// any free one).
    pub async fn start(config: TeamsSimConfig, spec: TenantSpec) -> Result<TeamsSim, SimError> {
        let clock = SimClock::new(config.time_scale)?;
        let tenant = Tenant::generate(&config, &spec)?;
        let material = KeyMaterial::for_seed(config.seed)?;
        let keys = KeyRing::new(material, config.seed);
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(SimError::Bind)?;
        let address = listener.local_addr().map_err(SimError::Bind)?;
        let (stop, shutdown) = ShutdownSignal::new();
        let state = Arc::new(TeamsState::new(
            config,
            clock,
            keys,
            tenant,
            format!("http://{address}"),
            shutdown.clone(),
        ));
        let router = Router::new()
            .route(login::OPENID_PATH, get(login::openid_metadata))
            .route(login::JWKS_PATH, get(login::jwks))
            .route("/login/{tenant}/oauth2/v2.0/token", post(login::token))
            .merge(connector::routes())
            .fallback(connector::unserved)
            .with_state(state.clone());
        let server = HttpServer::start(listener, router, shutdown);
        tracing::info!(service_url = %state.service_url(), "Teams simulator listening");
        Ok(TeamsSim {
            state,
            server: Some(server),
            stop,
        })
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

    pub fn config(&self) -> &TeamsSimConfig {
        &self.state.config
    }

    /// What `TEAMS_OPENID_METADATA_URL` should be.
    pub fn openid_metadata_url(&self) -> String {
        format!("{}{}", self.state.base_url, login::OPENID_PATH)
    }

    /// What `TEAMS_TOKEN_URL` should be.
    pub fn token_url(&self) -> String {
        format!(
            "{}/login/botframework.com/oauth2/v2.0/token",
            self.state.base_url
        )
    }

    /// The `serviceUrl` activities carry: where the connector lives.
    pub fn service_url(&self) -> String {
        self.state.service_url()
    }

    /// The bot's channel account id, `28:{app id}`.
    pub fn bot_id(&self) -> String {
        self.state.bot_id()
    }

    /// Everyone in the tenant, in creation order (guests last).
    pub fn users(&self) -> Vec<TeamsUser> {
        let world = lock(&self.state.world);
        world
            .tenant
            .user_order
            .iter()
            .filter_map(|id| world.tenant.users.get(id).cloned())
            .collect()
    }

    pub fn user(&self, id: &str) -> Option<TeamsUser> {
        lock(&self.state.world).tenant.users.get(id).cloned()
    }

    pub fn teams(&self) -> Vec<SimTeam> {
        lock(&self.state.world).tenant.teams.clone()
    }

    pub fn team_named(&self, name: &str) -> Option<SimTeam> {
        self.teams().into_iter().find(|team| team.name == name)
    }

    /// A new person in the organisation, in no team yet.
    pub fn add_user(&self, name: &str, time_zone: &str) -> TeamsUser {
        self.state
            .change(|world| world.tenant.add_user(name, time_zone))
    }

    /// `user_id` blocks (or unblocks) the bot: sends to them answer 403
    /// `MessageWritesBlocked`.
    pub fn set_blocked(&self, user_id: &str, blocked: bool) -> Result<(), SimError> {
        self.state.change(|world| {
            let user = world
                .tenant
                .users
                .get_mut(user_id)
                .ok_or_else(|| SimError::UserNotFound(user_id.to_owned()))?;
            user.blocked_bot = blocked;
            Ok(())
        })
    }

    /// Publishes a new signing key id and signs with it from now on; returns the kid.
    pub fn rotate_signing_key(&self) -> String {
        lock(&self.state.keys).rotate()
    }

    /// Invalidates every access token issued so far: the next connector call answers
    /// 401 until the bot fetches a new token.
    pub fn revoke_tokens(&self) {
        self.state.change(|world| world.tenant.tokens.clear());
    }

    pub fn recorder(&self) -> TeamsRecorder {
        TeamsRecorder::new(self.state.clone())
    }

    pub fn faults(&self) -> ConnectorFaults {
        self.state.faults.clone()
    }

    /// Turns rate limiting on or off from now on.
    pub fn set_rate_limits(&self, enabled: bool) {
        self.state.set_rate_limits_enabled(enabled);
    }

    /// A driver delivering activities to the bot's messaging endpoint (e.g.
    /// `http://127.0.0.1:3000/api/messages`).
    pub fn bot(&self, messaging_endpoint: &str) -> TeamsBotDriver {
        TeamsBotDriver::new(self.state.clone(), messaging_endpoint.to_owned())
    }

    /// Stops serving and waits for the server to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            server.stopped().await;
        }
    }
}

impl Drop for TeamsSim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
