//! A local Slack workspace (and a Microsoft Teams tenant, see [`teams`]) on loopback that
//! speaks the real wire format.
//!
//! The bot talks to it only over real HTTP (and WebSockets for Socket Mode), exactly as it
//! talks to Slack: slack-morphism's client pointed at [`SlackSim::api_url`], and signed
//! requests POSTed by a [`SlackAppDriver`] to the bot's endpoints. Tests, benchmarks and
//! `pourover demo` all stand on it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), pourover_simulator::SimError> {
//! use std::time::Duration;
//! use pourover_simulator::{CompanySpec, SlackSim, SlackSimConfig};
//!
//! // A Slack minute per real second; 50 people in 5 departments.
//! let config = SlackSimConfig { time_scale: 60.0, ..SlackSimConfig::default() };
//! let sim = SlackSim::start(config, CompanySpec::new(50, 5)).await?;
//! // Build the bot's slack-morphism client with `.with_slack_api_url(&sim.api_url())`,
//! // the bot token `sim.config().bot_token` and signing secret
//! // `sim.config().signing_secret`, and start it (say on port 3000). Then:
//! let ada = sim.people().remove(0);
//! let answer = sim.app("http://127.0.0.1:3000").slash_command(&ada.id, "/coffee", "join").await?;
//! assert!(answer.is_success());
//! let recorder = sim.recorder();
//! recorder.wait_for(|r| !r.calls_to("chat.postEphemeral").is_empty(), Duration::from_secs(5)).await?;
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! One simulator can hold several workspaces (`SlackSim::add_workspace`) and Enterprise
//! Grid orgs (`SlackSim::add_org`); the app is installed in them through the OAuth
//! authorize page (`SlackSim::browser`) and `oauth.v2.access`, with token rotation if
//! configured, and every Web API call acts in the workspace its token belongs to.
//!
//! Layout: platform-neutral plumbing at the top level (`clock`, `rng`, `http_server`, …),
//! Slack in [`slack`], Microsoft Teams in [`teams`].

mod clock;
mod error;
mod http_server;
mod rng;
pub mod slack;
mod sync;
pub mod teams;

pub use error::SimError;
pub use slack::{
    ApiCall, AppDelivery, AppEndpoints, AppResponse, CallOutcome, CompanySpec, Consent,
    ConversationKind, DEPARTMENT_FIELD_ID, DEPARTMENT_FIELD_LABEL, Ephemeral, EventEnvelope,
    EventRetry, Fault, Faults, Forgery, InstallTarget, InstalledApp, MessageVersion, NewUser,
    OAuthRedirect, OrgIdentity, OrgSpec, ProfileUpdate, PublishedView, RateLimit, RateLimitPolicy,
    RecordedMessage, Recorder, ResponseUrlOrigin, ResponseUrlPost, SLACK_TOKEN_LIFETIME,
    SimConversation, SimUser, SimWorkspace, SlackAppDriver, SlackBrowser, SlackSim, SlackSimConfig,
    TEAM_FIELD_ID, TEAM_FIELD_LABEL, TeamIdentity, UrlVerification, WorkspaceSpec,
};
pub use teams::{TeamsSim, TeamsSimConfig, TenantSpec};
