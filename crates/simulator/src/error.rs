//! The simulator's error type.

use std::time::Duration;

/// Everything that can go wrong while starting, driving or inspecting a simulator.
///
/// Errors the *bot* causes (a bad token, an unknown channel) are not here: those are
/// answered on the wire with Slack's own error codes, as Slack would.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("could not bind the simulator's listener: {0}")]
    Bind(#[source] std::io::Error),
    #[error("invalid simulator configuration: {0}")]
    InvalidConfig(String),
    #[error("unknown IANA time zone {0:?}")]
    UnknownTimeZone(String),
    #[error("no workspace {0} in the simulator")]
    WorkspaceNotFound(String),
    #[error("no Enterprise Grid org {0} in the simulator")]
    OrgNotFound(String),
    #[error("the app is not installed in {0}")]
    NotInstalled(String),
    #[error("Slack refused the authorize request ({status}): {code}")]
    OAuthRefused { status: u16, code: String },
    #[error("no user {0} in the simulated workspace")]
    UserNotFound(String),
    #[error("no conversation {0} in the simulated workspace")]
    ConversationNotFound(String),
    #[error("no message {ts} in conversation {channel}")]
    MessageNotFound { channel: String, ts: String },
    #[error("no button matching {wanted:?} in {surface}")]
    ActionNotFound { wanted: String, surface: String },
    #[error("user {user} is not a member of {channel}")]
    NotAMember { user: String, channel: String },
    #[error("{0}")]
    InvalidOperation(String),
    #[error("request to the app failed: {0}")]
    AppRequest(#[source] reqwest::Error),
    #[error("the app did not answer within {0:?}")]
    AppTimeout(Duration),
    #[error("no app is connected in Socket Mode")]
    NoSocketModeConnection,
    #[error("this driver cannot do that over {transport}: {what}")]
    UnsupportedOverTransport {
        transport: &'static str,
        what: &'static str,
    },
    #[error("timed out after {timeout:?} waiting for {what}")]
    WaitTimedOut { timeout: Duration, what: String },
    #[error("could not encode a payload: {0}")]
    Encoding(String),
}

impl From<serde_json::Error> for SimError {
    fn from(error: serde_json::Error) -> Self {
        SimError::Encoding(error.to_string())
    }
}
