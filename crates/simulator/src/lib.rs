//! A local Slack workspace on loopback that speaks the real wire format.
//!
//! The bot talks to it only over real HTTP (and WebSockets for Socket Mode), exactly as it
//! talks to Slack: slack-morphism's client pointed at [`SlackSim::api_url`], and signed
//! requests POSTed by a [`SlackAppDriver`] to the bot's endpoints. Tests, benchmarks and
//! `pourover demo` all stand on it.
//!
//! Layout: platform-neutral plumbing at the top level (`clock`, `rng`, `http_server`, …),
//! Slack in [`slack`]; a Microsoft Teams simulator will live next to it in `teams`.

mod clock;
mod error;
mod http_server;
mod rng;
pub mod slack;
mod sync;

pub use error::SimError;
pub use slack::{
    ApiCall, AppDelivery, AppEndpoints, AppResponse, CallOutcome, CompanySpec, ConversationKind,
    DEPARTMENT_FIELD_ID, DEPARTMENT_FIELD_LABEL, Ephemeral, EventEnvelope, EventRetry, Fault,
    Faults, Forgery, MessageVersion, NewUser, ProfileUpdate, PublishedView, RateLimit,
    RateLimitPolicy, RecordedMessage, Recorder, ResponseUrlOrigin, ResponseUrlPost,
    SimConversation, SimUser, SlackAppDriver, SlackSim, SlackSimConfig, TEAM_FIELD_ID,
    TEAM_FIELD_LABEL, UrlVerification,
};
