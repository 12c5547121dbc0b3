//! Every request to `/slack/*` must carry Slack's v0 signature over its exact body, with a
//! timestamp within five minutes; anything else is refused with 401 before it is parsed.
//! slack-morphism's `SlackEventSignatureVerifier` does the HMAC and the time window.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::signature_verifier::{
    SlackEventSignatureVerifier, SlackEventSignatureVerifierError,
};

/// Checks signatures and body sizes. Cheap to clone.
#[derive(Clone)]
pub struct RequestVerifier {
    verifier: SlackEventSignatureVerifier,
    max_body_bytes: usize,
}

impl std::fmt::Debug for RequestVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("RequestVerifier")
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

impl RequestVerifier {
    pub fn new(signing_secret: &SecretString, max_body_bytes: usize) -> Self {
        Self {
            verifier: SlackEventSignatureVerifier::new(
                &signing_secret.expose_secret().to_owned().into(),
            ),
            max_body_bytes,
        }
    }

    /// Why `body` with these headers is not from Slack, if it is not.
    fn rejection(&self, headers: &HeaderMap, body: &[u8]) -> Option<&'static str> {
        let read = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        let (Some(timestamp), Some(signature)) = (
            read(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP),
            read(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER),
        ) else {
            return Some("missing signature headers");
        };
        let Ok(body) = std::str::from_utf8(body) else {
            return Some("a body that is not UTF-8");
        };
        match self.verifier.verify(signature, body, timestamp) {
            Ok(()) => None,
            Err(SlackEventSignatureVerifierError::IncorrectOrExpiredTimestampError(_)) => {
                Some("a stale or malformed timestamp")
            }
            Err(SlackEventSignatureVerifierError::WrongSignatureError(_)) => {
                Some("a wrong signature")
            }
            Err(_) => Some("an unverifiable signature"),
        }
    }
}

/// Middleware: 413 for bodies over the limit, 401 (empty body) for anything unsigned,
/// wrongly signed or stale; otherwise the request goes on with its body intact.
pub async fn verify_slack_request(
    State(verifier): State<RequestVerifier>,
    request: Request,
    next: Next,
) -> Response {
    let declared_too_large = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok())
        .is_some_and(|length| length > verifier.max_body_bytes);
    if declared_too_large {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let (parts, body) = request.into_parts();
    // A body that cannot be read within the limit is over it (the client's problem either way).
    let Ok(bytes): Result<Bytes, _> = axum::body::to_bytes(body, verifier.max_body_bytes).await
    else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if let Some(reason) = verifier.rejection(&parts.headers, &bytes) {
        tracing::warn!(path = %parts.uri.path(), reason, "refused a request not signed by Slack");
        return StatusCode::UNAUTHORIZED.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::Sha256;

    use super::*;

    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

    fn sign(secret: &str, timestamp: i64, body: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(format!("v0:{timestamp}:{body}").as_bytes());
        format!("v0={}", hex::encode(mac.finalize().into_bytes()))
    }

    fn headers(timestamp: i64, signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-slack-request-timestamp",
            HeaderValue::from_str(&timestamp.to_string()).expect("ascii"),
        );
        headers.insert(
            "x-slack-signature",
            HeaderValue::from_str(signature).expect("ascii"),
        );
        headers
    }

    fn verifier() -> RequestVerifier {
        RequestVerifier::new(&SecretString::from(SECRET), 1024)
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[test]
    fn a_fresh_correct_signature_passes() {
        let body = "token=x&command=%2Fcoffee";
        let at = now();
        assert_eq!(
            verifier().rejection(&headers(at, &sign(SECRET, at, body)), body.as_bytes()),
            None
        );
    }

    #[test]
    fn forged_stale_tampered_and_missing_signatures_are_refused() {
        let body = "payload=%7B%7D";
        let at = now();
        let verifier = verifier();
        assert!(
            verifier
                .rejection(
                    &headers(at, &sign("not-the-secret", at, body)),
                    body.as_bytes()
                )
                .is_some()
        );
        let stale = at - 6 * 60;
        assert_eq!(
            verifier.rejection(&headers(stale, &sign(SECRET, stale, body)), body.as_bytes()),
            Some("a stale or malformed timestamp")
        );
        assert!(
            verifier
                .rejection(&headers(at, &sign(SECRET, at, body)), b"payload=%7B%7D ")
                .is_some()
        );
        assert_eq!(
            verifier.rejection(&HeaderMap::new(), body.as_bytes()),
            Some("missing signature headers")
        );
    }

    #[test]
    fn the_debug_form_never_shows_the_secret() {
        assert!(!format!("{:?}", verifier()).contains(SECRET));
    }
}
