//! Getting a payload to the app: signed HTTP requests or Socket Mode envelopes.

use std::time::Duration;

use serde_json::{Value, json};

use super::{AppEndpoints, AppResponse, EventRetry, Forgery, PayloadKind, SlackAppDriver};
use crate::clock::SimClock;
use crate::error::SimError;
use crate::slack::signing::{
    RETRY_NUM_HEADER, RETRY_REASON_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign,
};

/// Slack's signatures older than this are to be rejected by apps.
const STALE_AFTER: Duration = Duration::from_secs(5 * 60);

/// Header name and value pairs that sign (or mis-sign) a request.
type SignatureHeaders = Vec<(&'static str, String)>;

impl SlackAppDriver {
    pub(super) async fn deliver_http(
        &self,
        endpoints: &AppEndpoints,
        kind: PayloadKind,
        payload: &Value,
        retry: Option<&EventRetry>,
    ) -> Result<AppResponse, SimError> {
        let (url, content_type, body) = match kind {
            PayloadKind::Command => (
                &endpoints.commands,
                "application/x-www-form-urlencoded",
                form_body(payload)?,
            ),
            PayloadKind::Event => (&endpoints.events, "application/json", payload.to_string()),
            PayloadKind::Interaction => {
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
    fn signed(&self, body: String) -> Result<(SignatureHeaders, String), SimError> {
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

    pub(super) async fn deliver_socket(
        &self,
        kind: PayloadKind,
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
        let envelope_id = self.state.change(|world| world.new_token());
        // Slack wants a response payload back for slash commands only (for the events
        // and block_actions we send, the ack is bare).
        let mut envelope = json!({
            "envelope_id": envelope_id,
            "type": kind.socket_type(),
            "payload": payload,
            "accepts_response_payload": matches!(kind, PayloadKind::Command),
        });
        if let PayloadKind::Event = kind {
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
