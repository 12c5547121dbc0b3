//! The app driver: sends the app exactly what Slack would — signed HTTP requests to its
//! endpoints, or envelopes over its Socket Mode connection — and reports the answer.

mod buttons;
mod payloads;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use slack_morphism::prelude::*;

pub use payloads::EventEnvelope;

use crate::clock::SimClock;
use crate::error::SimError;
use crate::slack::recorder::AppDelivery;
use crate::slack::signing::{
    RETRY_NUM_HEADER, RETRY_REASON_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign,
};
use crate::slack::state::SimState;

/// How long Slack waits for an app to acknowledge anything.
pub const SLACK_ACK_TIMEOUT: Duration = Duration::from_secs(3);
/// Slack's signatures older than this are to be rejected by apps.
const STALE_AFTER: Duration = Duration::from_secs(5 * 60);
/// Slack's Events API retry schedule after a failed delivery, in Slack time.
const EVENT_RETRY_DELAYS: [Duration; 3] = [
    Duration::ZERO,
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
];

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

#[derive(Debug, Clone)]
enum Transport {
    Http(AppEndpoints),
    SocketMode,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Command,
    Event,
    Interaction,
}

impl Kind {
    fn socket_type(self) -> &'static str {
        match self {
            Kind::Command => "slash_commands",
            Kind::Event => "events_api",
            Kind::Interaction => "interactive",
        }
    }
}

/// Sends the app what Slack sends it. Get one from `SlackSim::app` (HTTP) or
/// `SlackSim::socket_mode_app` (Socket Mode); clones share the simulator.
#[derive(Clone)]
pub struct SlackAppDriver {
    state: Arc<SimState>,
    transport: Transport,
    http: reqwest::Client,
    forgery: Option<Forgery>,
    ack_timeout: Duration,
}

impl SlackAppDriver {
    pub(crate) fn http(state: Arc<SimState>, endpoints: AppEndpoints) -> Self {
        Self::new(state, Transport::Http(endpoints))
    }

    pub(crate) fn socket_mode(state: Arc<SimState>) -> Self {
        Self::new(state, Transport::SocketMode)
    }

    fn new(state: Arc<SimState>, transport: Transport) -> Self {
        Self {
            state,
            transport,
            // Plain HTTP on loopback; `no_proxy` so a developer's proxy settings never
            // intercept the simulator's requests.
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap_or_default(),
            forgery: None,
            ack_timeout: SLACK_ACK_TIMEOUT,
        }
    }

    /// The same driver with other endpoints (HTTP only).
    pub fn with_endpoints(mut self, endpoints: AppEndpoints) -> Self {
        self.transport = Transport::Http(endpoints);
        self
    }

    /// The same driver, signing every request wrongly in the given way (HTTP only).
    pub fn with_forgery(mut self, forgery: Forgery) -> Self {
        self.forgery = Some(forgery);
        self
    }

    /// How long to wait for the app's answer (Slack: 3 s, the default).
    pub fn with_ack_timeout(mut self, timeout: Duration) -> Self {
        self.ack_timeout = timeout;
        self
    }

    /// `/command text` typed by `user_id` in their DM with the app.
    pub async fn slash_command(
        &self,
        user_id: &str,
        command: &str,
        text: &str,
    ) -> Result<AppResponse, SimError> {
        let fields = payloads::slash_command(&self.state, user_id, None, command, text)?;
        self.deliver(Kind::Command, fields, None).await
    }

    /// `/command text` typed by `user_id` in `channel_id`.
    pub async fn slash_command_in(
        &self,
        channel_id: &str,
        user_id: &str,
        command: &str,
        text: &str,
    ) -> Result<AppResponse, SimError> {
        let fields =
            payloads::slash_command(&self.state, user_id, Some(channel_id), command, text)?;
        self.deliver(Kind::Command, fields, None).await
    }

    /// Events API's `url_verification` handshake with a fresh challenge (HTTP only).
    pub async fn url_verification(&self) -> Result<UrlVerification, SimError> {
        let challenge = self.state.change(|world| world.workspace.new_token());
        let body = payloads::url_verification(&self.state, &challenge)?;
        let response = self.deliver(Kind::Event, body, None).await?;
        Ok(UrlVerification {
            challenge,
            response,
        })
    }

    /// An `event_callback` carrying `event` (e.g. what a `SlackSim` mutation returned).
    pub async fn event(&self, event: SlackEventCallbackBody) -> Result<AppResponse, SimError> {
        let envelope = self.envelope(event)?;
        self.send_event(&envelope, None).await
    }

    /// An `event_callback` carrying an event given as raw JSON (must have a `type`).
    pub async fn event_json(&self, event: Value) -> Result<AppResponse, SimError> {
        self.event(SlackEventCallbackBody::Unknown(event)).await
    }

    /// Wraps `event` for delivery, so the same `event_id` can be sent again as a retry.
    pub fn envelope(&self, event: SlackEventCallbackBody) -> Result<EventEnvelope, SimError> {
        payloads::event_callback(&self.state, event)
    }

    /// Sends a prepared event; `retry` adds Slack's retry marks (`X-Slack-Retry-Num` and
    /// `X-Slack-Retry-Reason` over HTTP, `retry_attempt`/`retry_reason` in Socket Mode).
    pub async fn send_event(
        &self,
        envelope: &EventEnvelope,
        retry: Option<EventRetry>,
    ) -> Result<AppResponse, SimError> {
        self.deliver(Kind::Event, envelope.body.clone(), retry)
            .await
    }

    /// Delivers `envelope` the way Slack does: if the app fails (no 2xx within the ack
    /// timeout), retry up to three times — at once, after 1 and after 5 Slack minutes —
    /// with the retry headers. Returns every attempt's outcome.
    pub async fn deliver_event_like_slack(
        &self,
        envelope: &EventEnvelope,
    ) -> Vec<Result<AppResponse, SimError>> {
        let mut attempts = Vec::new();
        let mut retry = None;
        for attempt in 0..=EVENT_RETRY_DELAYS.len() {
            let outcome = self.send_event(envelope, retry.clone()).await;
            let reason = match &outcome {
                Ok(response) if response.is_success() => None,
                Ok(_) => Some("http_error"),
                Err(SimError::AppTimeout(_)) => Some("http_timeout"),
                Err(_) => Some("connection_failed"),
            };
            attempts.push(outcome);
            let (Some(reason), Some(delay)) = (reason, EVENT_RETRY_DELAYS.get(attempt)) else {
                break;
            };
            tokio::time::sleep(self.state.clock.real_duration(*delay)).await;
            retry = Some(EventRetry {
                num: attempt as u32 + 1,
                reason: reason.to_owned(),
            });
        }
        attempts
    }

    /// `user_id` presses a button on the message `ts` in `channel`, found (in the
    /// message's latest version) by `action_id` or by its label.
    pub async fn press_button(
        &self,
        user_id: &str,
        channel: &str,
        ts: &str,
        action_id_or_text: &str,
    ) -> Result<AppResponse, SimError> {
        let payload =
            payloads::message_block_actions(&self.state, user_id, channel, ts, action_id_or_text)?;
        self.deliver(Kind::Interaction, payload, None).await
    }

    /// `user_id` presses a button in the App Home the app published for them.
    pub async fn press_home_button(
        &self,
        user_id: &str,
        action_id_or_text: &str,
    ) -> Result<AppResponse, SimError> {
        let payload = payloads::home_block_actions(&self.state, user_id, action_id_or_text)?;
        self.deliver(Kind::Interaction, payload, None).await
    }

    /// `user_id` opens the app's Home tab (`app_home_opened`).
    pub async fn app_home_opened(&self, user_id: &str) -> Result<AppResponse, SimError> {
        let now = self.state.now();
        let (channel, view) = self.state.change(|world| {
            let channel = world.workspace.im_with(user_id, now);
            let view = world
                .workspace
                .home_views
                .get(user_id)
                .and_then(|published| {
                    serde_json::from_value::<SlackView>(published.view.clone()).ok()
                });
            (channel, view)
        });
        let event = SlackAppHomeOpenedEvent::new(user_id.to_owned().into(), channel.into())
            .with_tab("home".to_owned())
            .opt_view(view);
        self.event(SlackEventCallbackBody::AppHomeOpened(event))
            .await
    }

    async fn deliver(
        &self,
        kind: Kind,
        payload: Value,
        retry: Option<EventRetry>,
    ) -> Result<AppResponse, SimError> {
        let result = match &self.transport {
            Transport::Http(endpoints) => {
                self.deliver_http(endpoints, kind, &payload, retry.as_ref())
                    .await
            }
            Transport::SocketMode => self.deliver_socket(kind, &payload, retry.as_ref()).await,
        };
        let status = result.as_ref().ok().map(|response| response.status);
        self.state.change(|world| {
            world.journal.deliveries.push(AppDelivery {
                kind: kind.socket_type(),
                transport: match self.transport {
                    Transport::Http(_) => "http",
                    Transport::SocketMode => "socket_mode",
                },
                payload,
                status,
                at: SystemTime::now(),
            });
        });
        result
    }

    async fn deliver_http(
        &self,
        endpoints: &AppEndpoints,
        kind: Kind,
        payload: &Value,
        retry: Option<&EventRetry>,
    ) -> Result<AppResponse, SimError> {
        let (url, content_type, body) = match kind {
            Kind::Command => (
                &endpoints.commands,
                "application/x-www-form-urlencoded",
                form_body(payload)?,
            ),
            Kind::Event => (&endpoints.events, "application/json", payload.to_string()),
            Kind::Interaction => {
                let form = serde_urlencoded::to_string([("payload", payload.to_string())])
                    .map_err(|error| SimError::Encoding(error.to_string()))?;
                (
                    &endpoints.interactivity,
                    "application/x-www-form-urlencoded",
                    form,
                )
            }
        };
        let mut request = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .header(
                reqwest::header::USER_AGENT,
                "Slackbot 1.0 (+https://api.slack.com/robots)",
            )
            .timeout(self.ack_timeout);
        let (headers, body) = self.signed(body)?;
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(retry) = retry {
            request = request
                .header(RETRY_NUM_HEADER, retry.num.to_string())
                .header(RETRY_REASON_HEADER, retry.reason.clone());
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|error| self.request_error(error))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = response
            .text()
            .await
            .map_err(|error| self.request_error(error))?;
        Ok(AppResponse {
            status,
            body,
            content_type,
        })
    }

    fn request_error(&self, error: reqwest::Error) -> SimError {
        if error.is_timeout() {
            SimError::AppTimeout(self.ack_timeout)
        } else {
            SimError::AppRequest(error)
        }
    }

    /// The signature headers (per the forgery, if any) and the body to send.
    fn signed(&self, body: String) -> Result<(Vec<(&'static str, String)>, String), SimError> {
        let secret = &self.state.config.signing_secret;
        let now = SimClock::unix_seconds();
        let (secret, timestamp) = match self.forgery {
            Some(Forgery::WrongSecret) => (format!("not-{secret}"), now),
            Some(Forgery::StaleTimestamp) => {
                (secret.clone(), now - STALE_AFTER.as_secs() as i64 - 60)
            }
            _ => (secret.clone(), now),
        };
        let signature = sign(&secret, timestamp, &body)?;
        let mut headers = Vec::new();
        if !matches!(
            self.forgery,
            Some(Forgery::MissingTimestamp | Forgery::MissingHeaders)
        ) {
            headers.push((TIMESTAMP_HEADER, timestamp.to_string()));
        }
        if !matches!(
            self.forgery,
            Some(Forgery::MissingSignature | Forgery::MissingHeaders)
        ) {
            headers.push((SIGNATURE_HEADER, signature));
        }
        let body = match self.forgery {
            // Still well-formed (JSON and forms tolerate a trailing space), but not what
            // was signed.
            Some(Forgery::TamperedBody) => format!("{body} "),
            _ => body,
        };
        Ok((headers, body))
    }

    async fn deliver_socket(
        &self,
        kind: Kind,
        payload: &Value,
        retry: Option<&EventRetry>,
    ) -> Result<AppResponse, SimError> {
        if self.forgery.is_some() {
            return Err(SimError::UnsupportedOverTransport {
                transport: "Socket Mode",
                what: "forged signatures (Socket Mode is not signed)",
            });
        }
        if payload.get("type").and_then(Value::as_str) == Some("url_verification") {
            return Err(SimError::UnsupportedOverTransport {
                transport: "Socket Mode",
                what: "url_verification",
            });
        }
        let envelope_id = self.state.change(|world| world.workspace.new_token());
        // Slack wants a response payload back for slash commands only (for the events
        // and block_actions we send, the ack is bare).
        let mut envelope = json!({
            "envelope_id": envelope_id,
            "type": kind.socket_type(),
            "payload": payload,
            "accepts_response_payload": matches!(kind, Kind::Command),
        });
        if let Kind::Event = kind {
            envelope["retry_attempt"] = json!(retry.map_or(0, |retry| retry.num));
            envelope["retry_reason"] = json!(retry.map_or("", |retry| retry.reason.as_str()));
        }
        let ack = self
            .state
            .socket_mode
            .deliver(&envelope, &envelope_id, self.ack_timeout)
            .await?;
        let body = ack.get("payload").map(Value::to_string).unwrap_or_default();
        Ok(AppResponse {
            status: 200,
            body,
            content_type: Some("application/json".to_owned()),
        })
    }
}

/// A JSON object of scalars as `application/x-www-form-urlencoded`.
fn form_body(fields: &Value) -> Result<String, SimError> {
    let pairs: Vec<(String, String)> = fields
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(name, value)| {
                    let text = match value {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    (name.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default();
    serde_urlencoded::to_string(pairs).map_err(|error| SimError::Encoding(error.to_string()))
}
