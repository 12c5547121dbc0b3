//! What the driver reports and how it can be configured.

use serde_json::Value;

/// Where the app listens, for HTTP delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppEndpoints {
    pub commands: String,
    pub events: String,
    pub interactivity: String,
}

impl AppEndpoints {
    /// `{base}/slack/commands`, `{base}/slack/events`, `{base}/slack/interactivity`.
    pub fn under(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/');
        Self {
            commands: format!("{base}/slack/commands"),
            events: format!("{base}/slack/events"),
            interactivity: format!("{base}/slack/interactivity"),
        }
    }
}

/// A way to get request signing wrong on purpose, to test the app rejects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgery {
    /// Signed with a secret that is not the app's.
    WrongSecret,
    /// Correctly signed, but the timestamp is six minutes old.
    StaleTimestamp,
    /// No `X-Slack-Signature`.
    MissingSignature,
    /// No `X-Slack-Request-Timestamp`.
    MissingTimestamp,
    /// Neither header.
    MissingHeaders,
    /// The body was changed after signing.
    TamperedBody,
}

/// What the app answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppResponse {
    /// HTTP status; 200 for an acknowledged Socket Mode envelope.
    pub status: u16,
    /// The body (HTTP), or the acknowledgement's `payload` as JSON text (Socket Mode;
    /// empty when the ack carried none).
    pub body: String,
    pub content_type: Option<String>,
}

impl AppResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// A retry of an event delivery, as Slack marks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRetry {
    /// 1 for the first retry.
    pub num: u32,
    /// e.g. "http_timeout", "http_error", "connection_failed".
    pub reason: String,
}

/// The url_verification handshake and what the app answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlVerification {
    pub challenge: String,
    pub response: AppResponse,
}

impl UrlVerification {
    /// Whether the app echoed the challenge (as plain text or `{"challenge": …}`).
    pub fn echoed(&self) -> bool {
        self.response.is_success()
            && (self.response.body.trim() == self.challenge
                || self
                    .response
                    .json()
                    .and_then(|body| body.get("challenge").cloned())
                    == Some(Value::String(self.challenge.clone())))
    }
}
