//! Slack: the only place Slack's types appear.
//!
//! - Outbound: [`SlackChat`] implements [`crate::chat::Chat`] over slack-morphism's client,
//!   pacing every call to Slack's published rate limits (`rate_limit`), bounding it by a
//!   timeout and sorting failures into `ChatError` (`errors`). Messages, command replies
//!   and the App Home are rendered as Block Kit (`render`).
//! - Inbound: [`SlackInbound`] handles slash commands, events and button presses, reached
//!   over HTTP ([`http_routes`], signature-checked by `verify`) or Socket Mode
//!   ([`SocketMode`]).

mod api;
mod client;
mod errors;
mod inbound;
mod outbound;
mod profile;
pub mod rate_limit;
pub mod render;
mod routes;
mod socket_mode;
mod verify;

pub use api::{ApiMethod, RateTier};
pub use client::{
    CALL_TIMEOUT, SlackChat, SlackChatConfig, SlackHttpClient, SlackIdentity, SlackStartError,
    build_http_client,
};
pub use inbound::{ACK_BUDGET, SlackInbound, WORKING_ON_IT};
pub use outbound::OUTBOX_EVENT_TYPE;
pub use profile::{SLACKBOT_USER_ID, TeamFieldIds, member_profile};
pub use routes::http_routes;
pub use socket_mode::SocketMode;
