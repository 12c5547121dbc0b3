//! The app driver: sends the app exactly what Slack would — signed HTTP requests to its
//! endpoints, or envelopes over its Socket Mode connection — and reports the answer.

mod buttons;
mod payloads;
mod transport;
mod types;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use slack_morphism::prelude::*;

pub use payloads::EventEnvelope;
pub(crate) use payloads::{Tenancy, event_callback_as};
pub use types::{AppEndpoints, AppResponse, EventRetry, Forgery, UrlVerification};

use crate::error::SimError;
use crate::slack::oauth::registry::InstallTarget;
use crate::slack::oauth::uninstall::uninstall;
use crate::slack::recorder::AppDelivery;
use crate::slack::state::SimState;
use crate::sync::lock;

/// How long Slack waits for an app to acknowledge anything.
pub const SLACK_ACK_TIMEOUT: Duration = Duration::from_secs(3);
/// Slack's Events API retry schedule after a failed delivery, in Slack time.
const EVENT_RETRY_DELAYS: [Duration; 3] = [
    Duration::ZERO,
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
];

#[derive(Debug, Clone)]
enum Transport {
    Http(AppEndpoints),
    SocketMode,
}

/// Which of Slack's three deliveries a payload is.
#[derive(Debug, Clone, Copy)]
enum PayloadKind {
    Command,
    Event,
    Interaction,
}

impl PayloadKind {
    fn socket_type(self) -> &'static str {
        match self {
            PayloadKind::Command => "slash_commands",
            PayloadKind::Event => "events_api",
            PayloadKind::Interaction => "interactive",
        }
    }
}

/// Sends the app what Slack sends it. Get one from `SlackSim::app` (HTTP) or
/// `SlackSim::socket_mode_app` (Socket Mode); clones share the simulator.
#[derive(Clone)]
pub struct SlackAppDriver {
    state: Arc<SimState>,
    /// The workspace everything is sent from.
    team_id: String,
    transport: Transport,
    http: reqwest::Client,
    forgery: Option<Forgery>,
    ack_timeout: Duration,
}

impl SlackAppDriver {
    pub(crate) fn http(state: Arc<SimState>, team_id: String, endpoints: AppEndpoints) -> Self {
        Self::new(state, team_id, Transport::Http(endpoints))
    }

    pub(crate) fn socket_mode(state: Arc<SimState>, team_id: String) -> Self {
        Self::new(state, team_id, Transport::SocketMode)
    }

    fn new(state: Arc<SimState>, team_id: String, transport: Transport) -> Self {
        Self {
            state,
            team_id,
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

    /// The workspace this driver sends from.
    pub fn team_id(&self) -> &str {
        &self.team_id
    }

    /// The same driver, sending from workspace `team_id` instead.
    pub fn in_workspace(mut self, team_id: &str) -> Self {
        self.team_id = team_id.to_owned();
        self
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
        let fields =
            payloads::slash_command(&self.state, &self.team_id, user_id, None, command, text)?;
        self.deliver(PayloadKind::Command, fields, None).await
    }

    /// `/command text` typed by `user_id` in `channel_id`.
    pub async fn slash_command_in(
        &self,
        channel_id: &str,
        user_id: &str,
        command: &str,
        text: &str,
    ) -> Result<AppResponse, SimError> {
        let fields = payloads::slash_command(
            &self.state,
            &self.team_id,
            user_id,
            Some(channel_id),
            command,
            text,
        )?;
        self.deliver(PayloadKind::Command, fields, None).await
    }

    /// Events API's `url_verification` handshake with a fresh challenge (HTTP only).
    pub async fn url_verification(&self) -> Result<UrlVerification, SimError> {
        let challenge = self.state.change(|world| world.new_token());
        let body = payloads::url_verification(&self.state, &challenge)?;
        let response = self.deliver(PayloadKind::Event, body, None).await?;
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
        payloads::event_callback(&self.state, &self.team_id, event)
    }

    /// Sends a prepared event; `retry` adds Slack's retry marks (`X-Slack-Retry-Num` and
    /// `X-Slack-Retry-Reason` over HTTP, `retry_attempt`/`retry_reason` in Socket Mode).
    pub async fn send_event(
        &self,
        envelope: &EventEnvelope,
        retry: Option<EventRetry>,
    ) -> Result<AppResponse, SimError> {
        self.deliver(PayloadKind::Event, envelope.body.clone(), retry)
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

    /// Uninstalls the app from this driver's workspace, then delivers what Slack sends
    /// about it (`tokens_revoked`, `app_uninstalled`), signed. Returns the app's answers.
    pub async fn uninstall_app(&self) -> Result<Vec<AppResponse>, SimError> {
        let target = InstallTarget::Team(self.team_id.clone());
        let envelopes = uninstall(&self.state, target, &self.team_id)?;
        self.send_all(&envelopes).await
    }

    /// Uninstalls the org-wide installation of this driver's workspace's org, then
    /// delivers `tokens_revoked` and `app_uninstalled` from this workspace.
    pub async fn uninstall_org_app(&self) -> Result<Vec<AppResponse>, SimError> {
        let enterprise_id = lock(&self.state.world)
            .workspace(&self.team_id)
            .and_then(|workspace| workspace.enterprise.as_ref().map(|org| org.id.clone()))
            .ok_or_else(|| SimError::OrgNotFound(self.team_id.clone()))?;
        let envelopes = uninstall(
            &self.state,
            InstallTarget::Org(enterprise_id),
            &self.team_id,
        )?;
        self.send_all(&envelopes).await
    }

    async fn send_all(&self, envelopes: &[EventEnvelope]) -> Result<Vec<AppResponse>, SimError> {
        let mut answers = Vec::new();
        for envelope in envelopes {
            answers.push(self.send_event(envelope, None).await?);
        }
        Ok(answers)
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
        let payload = payloads::message_block_actions(
            &self.state,
            &self.team_id,
            user_id,
            channel,
            ts,
            action_id_or_text,
        )?;
        self.deliver(PayloadKind::Interaction, payload, None).await
    }

    /// `user_id` presses a button in the App Home the app published for them.
    pub async fn press_home_button(
        &self,
        user_id: &str,
        action_id_or_text: &str,
    ) -> Result<AppResponse, SimError> {
        let payload =
            payloads::home_block_actions(&self.state, &self.team_id, user_id, action_id_or_text)?;
        self.deliver(PayloadKind::Interaction, payload, None).await
    }

    /// `user_id` opens the app's Home tab (`app_home_opened`).
    pub async fn app_home_opened(&self, user_id: &str) -> Result<AppResponse, SimError> {
        let now = self.state.now();
        let (channel, view) = self.state.change(|world| {
            let workspace = world
                .workspace_mut(&self.team_id)
                .ok_or_else(|| SimError::WorkspaceNotFound(self.team_id.clone()))?;
            let channel = workspace.im_with(user_id, now);
            let view = workspace.home_views.get(user_id).and_then(|published| {
                serde_json::from_value::<SlackView>(published.view.clone()).ok()
            });
            Ok::<_, SimError>((channel, view))
        })?;
        let event = SlackAppHomeOpenedEvent::new(user_id.to_owned().into(), channel.into())
            .with_tab("home".to_owned())
            .opt_view(view);
        self.event(SlackEventCallbackBody::AppHomeOpened(event))
            .await
    }

    async fn deliver(
        &self,
        kind: PayloadKind,
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
                team_id: self.team_id.clone(),
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
}
