//! The Slack simulator: a workspace on loopback speaking Slack's Web API, Events API,
//! interactivity and Socket Mode wire formats.

mod build;
mod company;
mod config;
mod driver;
mod faults;
pub mod mrkdwn;
mod mutations;
pub mod oauth;
mod rate_limit;
mod recorder;
mod render;
mod response_url;
pub mod signing;
mod sim_workspace;
mod socket_mode;
mod state;
pub mod web_api;
mod workspace;
mod world;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{any, get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::{CompanySpec, OrgSpec, SLACK_TOKEN_LIFETIME, SlackSimConfig, WorkspaceSpec};
pub use driver::{
    AppEndpoints, AppResponse, EventEnvelope, EventRetry, Forgery, SLACK_ACK_TIMEOUT,
    SlackAppDriver, UrlVerification,
};
pub use faults::{Fault, Faults};
pub use mutations::{EVENT_TYPES_PRODUCED, NewUser, ProfileUpdate};
pub use oauth::browser::{Consent, OAuthRedirect, SlackBrowser};
pub use oauth::registry::{InstallTarget, InstalledApp};
pub use rate_limit::{RateClass, RateLimit, RateLimitPolicy};
pub use recorder::{
    ApiCall, AppDelivery, CallOutcome, Ephemeral, PublishedView, RecordedMessage, Recorder,
    ResponseUrlPost,
};
pub use response_url::ResponseUrlOrigin;
pub use sim_workspace::SimWorkspace;
pub use workspace::{
    ConversationKind, DEPARTMENT_FIELD_ID, DEPARTMENT_FIELD_LABEL, MessageVersion, OrgIdentity,
    SimConversation, SimUser, TEAM_FIELD_ID, TEAM_FIELD_LABEL, TeamIdentity,
};

use crate::clock::SimClock;
use crate::error::SimError;
use crate::http_server::{HttpServer, ShutdownSignal};
use crate::sync::lock;
use slack_morphism::prelude::SlackEventCallbackBody;
use state::SimState;

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
        let (identity, world) = build::primary(&config, &company)?;
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(SimError::Bind)?;
        let address = listener.local_addr().map_err(SimError::Bind)?;
        let base_url = format!("http://{address}");
        let (stop, shutdown) = ShutdownSignal::new();
        let state = Arc::new(SimState::new(
            config,
            identity,
            clock,
            world,
            base_url,
            shutdown.clone(),
        ));
        let router = Router::new()
            .route("/api/{method}", any(web_api::serve))
            .route("/link/", get(socket_mode::connect))
            .route("/link", get(socket_mode::connect))
            .route("/response/{token}", post(response_url::receive))
            .route(
                "/oauth/v2/authorize",
                get(oauth::authorize::show).post(oauth::authorize::decide),
            )
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

    /// The primary workspace, the one `start` invented.
    pub fn primary(&self) -> SimWorkspace {
        let team_id = lock(&self.state.world).primary_team.clone();
        SimWorkspace::new(self.state.clone(), team_id)
    }

    /// Workspace `team_id`, if the simulator has it.
    pub fn workspace(&self, team_id: &str) -> Option<SimWorkspace> {
        let exists = lock(&self.state.world).workspace(team_id).is_some();
        exists.then(|| SimWorkspace::new(self.state.clone(), team_id.to_owned()))
    }

    /// Every workspace, the primary first, then by team id.
    pub fn workspaces(&self) -> Vec<SimWorkspace> {
        let world = lock(&self.state.world);
        let mut teams = vec![world.primary_team.clone()];
        teams.extend(
            world
                .workspaces
                .keys()
                .filter(|team| **team != world.primary_team)
                .cloned(),
        );
        teams
            .into_iter()
            .map(|team| SimWorkspace::new(self.state.clone(), team))
            .collect()
    }

    /// Adds a workspace with its own people, channels and bot user. The app is not
    /// installed there until a test installs it (OAuth or `install`).
    pub fn add_workspace(&self, spec: WorkspaceSpec) -> Result<SimWorkspace, SimError> {
        self.state.change(|world| {
            build::add_workspace(world, &self.state.config, &self.state.identity, &spec)
        })?;
        Ok(SimWorkspace::new(self.state.clone(), spec.team_id))
    }

    /// Adds an Enterprise Grid org: its workspaces share org-wide user ids (anyone of
    /// the org is known in every workspace of it) and the app's bot user; each has its
    /// own channels. Returns the workspaces in the order given.
    pub fn add_org(&self, spec: OrgSpec) -> Result<Vec<SimWorkspace>, SimError> {
        self.state.change(|world| {
            build::add_org(world, &self.state.config, &self.state.identity, &spec)
        })?;
        Ok(spec
            .workspaces
            .iter()
            .map(|workspace| SimWorkspace::new(self.state.clone(), workspace.team_id.clone()))
            .collect())
    }

    /// Everyone in the primary workspace (people, guests, deactivated, bots, Slackbot),
    /// by id.
    pub fn users(&self) -> Vec<SimUser> {
        self.primary().users()
    }

    pub fn user(&self, id: &str) -> Option<SimUser> {
        self.primary().user(id)
    }

    /// Active full members of the primary workspace (not bots, guests, deactivated or
    /// Slackbot).
    pub fn people(&self) -> Vec<SimUser> {
        self.primary().people()
    }

    /// Public channels of the primary workspace and their members.
    pub fn channels(&self) -> Vec<SimConversation> {
        self.primary().channels()
    }

    /// The primary workspace's public channel called `name` (without `#`).
    pub fn channel_named(&self, name: &str) -> Option<SimConversation> {
        self.primary().channel_named(name)
    }

    /// Every conversation of the primary workspace: channels, IMs and group DMs.
    pub fn conversations(&self) -> Vec<SimConversation> {
        self.primary().conversations()
    }

    pub fn conversation(&self, id: &str) -> Option<SimConversation> {
        self.primary().conversation(id)
    }

    /// The IM or group DM whose members are exactly `people` plus the bot, if opened.
    pub fn dm_with(&self, people: &[&str]) -> Option<SimConversation> {
        self.primary().dm_with(people)
    }

    /// Deactivates `user_id` in the primary workspace (see [`SimWorkspace::deactivate_user`]).
    pub fn deactivate_user(&self, user_id: &str) -> Result<SlackEventCallbackBody, SimError> {
        self.primary().deactivate_user(user_id)
    }

    /// Changes a profile field in the primary workspace (`user_change` follows).
    pub fn set_profile_field(
        &self,
        user_id: &str,
        update: ProfileUpdate,
    ) -> Result<SlackEventCallbackBody, SimError> {
        self.primary().set_profile_field(user_id, update)
    }

    /// Adds someone to the primary workspace (`team_join` follows).
    pub fn add_user(
        &self,
        new_user: NewUser,
    ) -> Result<(SimUser, SlackEventCallbackBody), SimError> {
        self.primary().add_user(new_user)
    }

    /// `user_id` joins a channel of the primary workspace (see
    /// [`SimWorkspace::join_channel`]).
    pub fn join_channel(
        &self,
        user_id: &str,
        channel_id: &str,
    ) -> Result<Option<SlackEventCallbackBody>, SimError> {
        self.primary().join_channel(user_id, channel_id)
    }

    /// `user_id` leaves a channel of the primary workspace.
    pub fn leave_channel(
        &self,
        user_id: &str,
        channel_id: &str,
    ) -> Result<Option<SlackEventCallbackBody>, SimError> {
        self.primary().leave_channel(user_id, channel_id)
    }

    /// `user_id` writes `text` in a conversation of the primary workspace (see
    /// [`SimWorkspace::post_as_user`]).
    pub fn post_as_user(
        &self,
        user_id: &str,
        channel_id: &str,
        text: &str,
    ) -> Result<(String, Option<SlackEventCallbackBody>), SimError> {
        self.primary().post_as_user(user_id, channel_id, text)
    }

    /// Where the app sends people to install it: `http://127.0.0.1:PORT/oauth/v2/authorize`
    /// (Slack's is `https://slack.com/oauth/v2/authorize`).
    pub fn authorize_url(&self) -> String {
        format!("{}/oauth/v2/authorize", self.state.base_url)
    }

    /// The app's configured redirect URLs (Slack's "OAuth & Permissions" settings). With
    /// none, any http(s) `redirect_uri` is accepted.
    pub fn set_redirect_urls(&self, urls: Vec<String>) {
        self.state.change(|world| world.redirect_urls = urls);
    }

    /// A person in a browser, to approve or cancel installs.
    pub fn browser(&self) -> SlackBrowser {
        SlackBrowser::new(self.state.base_url.clone())
    }

    /// The org-wide installation of org `enterprise_id`, if there is or was one.
    pub fn org_installation(&self, enterprise_id: &str) -> Option<InstalledApp> {
        lock(&self.state.world)
            .installs
            .installation(&InstallTarget::Org(enterprise_id.to_owned()))
            .map(InstalledApp::from)
    }

    /// Every installation there is or was (uninstalled ones are `active: false`).
    pub fn installations(&self) -> Vec<InstalledApp> {
        lock(&self.state.world)
            .installs
            .installations()
            .map(InstalledApp::from)
            .collect()
    }

    /// Makes the access tokens of org `enterprise_id`'s org-wide installation lapse now.
    pub fn expire_org_access_tokens(&self, enterprise_id: &str) {
        let target = InstallTarget::Org(enterprise_id.to_owned());
        self.state.change(|world| {
            world
                .installs
                .expire_access_tokens(&target, std::time::Instant::now());
        });
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

    /// A driver delivering from the primary workspace over HTTP to the app's
    /// `{base}/slack/commands`, `{base}/slack/events` and `{base}/slack/interactivity`.
    pub fn app(&self, app_base_url: &str) -> SlackAppDriver {
        self.primary().app(app_base_url)
    }

    /// A driver delivering from the primary workspace over the app's Socket Mode
    /// connection(s).
    pub fn socket_mode_app(&self) -> SlackAppDriver {
        self.primary().socket_mode_app()
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
