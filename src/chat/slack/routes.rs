//! HTTP mode: `POST /slack/commands`, `/slack/events` and `/slack/interactivity`, each
//! behind the signature check. Handlers only parse and hand over to [`SlackInbound`].

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use secrecy::SecretString;
use serde_json::json;
use slack_morphism::prelude::*;

use super::inbound::SlackInbound;
use super::verify::{RequestVerifier, verify_slack_request};

/// Slack marks redeliveries of an event with this header (1, 2, 3).
const RETRY_NUM_HEADER: &str = "x-slack-retry-num";

/// The Slack endpoints, ready to merge into the bot's router.
pub fn http_routes(
    inbound: SlackInbound,
    signing_secret: &SecretString,
    max_body_bytes: usize,
) -> Router {
    let verifier = RequestVerifier::new(signing_secret, max_body_bytes);
    Router::new()
        .route("/slack/commands", post(command))
        .route("/slack/events", post(event))
        .route("/slack/interactivity", post(interaction))
        .with_state(inbound)
        .route_layer(middleware::from_fn_with_state(
            verifier,
            verify_slack_request,
        ))
}

async fn command(State(inbound): State<SlackInbound>, body: Bytes) -> Response {
    match parse_command(&body) {
        Some(event) => Json(inbound.command(event).await).into_response(),
        None => {
            tracing::warn!("a signed slash command without the expected fields");
            StatusCode::BAD_REQUEST.into_response()
        }
    }
}

async fn event(State(inbound): State<SlackInbound>, headers: HeaderMap, body: Bytes) -> Response {
    let event = match serde_json::from_slice::<SlackPushEvent>(&body) {
        Ok(event) => event,
        Err(err) => {
            // Redelivering would not make it readable: acknowledge and move on.
            tracing::warn!(error = %err, "an Events API payload the bot cannot read");
            return StatusCode::OK.into_response();
        }
    };
    match event {
        SlackPushEvent::UrlVerification(verification) => {
            Json(json!({ "challenge": verification.challenge })).into_response()
        }
        SlackPushEvent::EventCallback(callback) => {
            if let Some(retry) = headers.get(RETRY_NUM_HEADER) {
                tracing::debug!(event = %callback.event_id, ?retry, "Slack redelivered an event");
            }
            match inbound.accept_event(callback).await {
                Ok(()) => StatusCode::OK.into_response(),
                // Not recorded: Slack delivers it again (at once, then after 1 and 5 minutes).
                Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
            }
        }
        SlackPushEvent::AppRateLimited(limited) => {
            tracing::warn!(
                minute = ?limited.minute_rate_limited,
                "Slack dropped events: the app exceeded the Events API rate limit"
            );
            StatusCode::OK.into_response()
        }
    }
}

async fn interaction(State(inbound): State<SlackInbound>, body: Bytes) -> Response {
    let payload = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "payload")
        .map(|(_, value)| value.into_owned());
    let Some(payload) = payload else {
        tracing::warn!("a signed interaction without a payload");
        return StatusCode::BAD_REQUEST.into_response();
    };
    match serde_json::from_str::<SlackInteractionEvent>(&payload) {
        Ok(interaction) => {
            if inbound.accept_interaction(interaction).await.is_err() {
                // Not recorded: Slack shows the person an error, and they can press again.
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
        Err(err) => tracing::warn!(error = %err, "an interaction payload the bot cannot read"),
    }
    StatusCode::OK.into_response()
}

/// A slash command's form fields as slack-morphism's model.
fn parse_command(body: &[u8]) -> Option<SlackCommandEvent> {
    serde_urlencoded::from_bytes(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slash_command_form_parses_into_the_model() {
        let body = serde_urlencoded::to_string([
            ("token", "verification"),
            ("team_id", "T1"),
            ("team_domain", "acme"),
            ("channel_id", "D1"),
            ("channel_name", "directmessage"),
            ("user_id", "U1"),
            ("user_name", "ada"),
            ("command", "/coffee"),
            ("text", "pause 2w"),
            ("api_app_id", "A1"),
            ("response_url", "https://hooks.slack.com/commands/T1/1/x"),
            ("trigger_id", "1.2.3"),
        ])
        .expect("encodes");
        let event = parse_command(body.as_bytes()).expect("parses");
        assert_eq!(event.user_id.value(), "U1");
        assert_eq!(event.command.value(), "/coffee");
        assert_eq!(event.text.as_deref(), Some("pause 2w"));
        assert!(parse_command(b"user_id=U1").is_none());
    }
}
