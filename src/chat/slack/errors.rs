//! Sorting slack-morphism's errors into what the caller should do next ([`ChatError`]).
//!
//! Texts carry Slack's error code (what an admin can look up) and never the response body
//! or anything from the request.

use std::time::Duration;

use slack_morphism::errors::SlackClientError;

use crate::chat::ChatError;

/// The wait when Slack says "rate limited" without a `Retry-After` (it always sends one
/// on HTTP 429; `ratelimited` in a 200 body has none).
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Error codes Slack documents as temporary: retrying later can succeed.
const TRANSIENT_CODES: &[&str] = &[
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
];

/// What a failed call means for its caller.
pub fn classify(error: &SlackClientError) -> ChatError {
    match error {
        SlackClientError::RateLimitError(limited) => ChatError::RateLimited {
            retry_after: limited.retry_after.unwrap_or(DEFAULT_RETRY_AFTER),
        },
        SlackClientError::ApiError(api) => classify_code(&api.code),
        SlackClientError::HttpError(http) => {
            let status = http.status_code;
            if status.is_server_error() || status.as_u16() == 408 {
                ChatError::Transient(format!("Slack answered HTTP {}", status.as_u16()))
            } else {
                ChatError::Permanent(format!("Slack answered HTTP {}", status.as_u16()))
            }
        }
        // The connection failed or closed before a reply: the call may or may not have
        // been carried out, which `Transient` tells the caller.
        SlackClientError::HttpProtocolError(_)
        | SlackClientError::EndOfStream(_)
        | SlackClientError::SystemError(_)
        | SlackClientError::SocketModeProtocolError(_) => {
            ChatError::Transient("the connection to Slack failed before a reply".into())
        }
        // A reply we could not read: most likely cut short. Retrying is safe because
        // senders look for an earlier attempt's message before posting again.
        SlackClientError::ProtocolError(_) => {
            ChatError::Transient("Slack's reply could not be read".into())
        }
    }
}

/// What Slack's `error` code means for the caller.
pub fn classify_code(code: &str) -> ChatError {
    if code == "ratelimited" || code == "rate_limited" {
        ChatError::RateLimited {
            retry_after: DEFAULT_RETRY_AFTER,
        }
    } else if TRANSIENT_CODES.contains(&code) {
        ChatError::Transient(format!("slack: {code}"))
    } else {
        // user_not_found, cannot_dm_bot, user_disabled, account_inactive, channel_not_found,
        // not_in_channel, is_archived, too_many_users, invalid_blocks, msg_too_long,
        // invalid_auth, not_authed, missing_scope…: retrying cannot fix any of these.
        ChatError::Permanent(format!("slack: {code}"))
    }
}

/// Our own deadline passed without a reply (the call may still have been carried out).
pub fn timed_out(after: Duration) -> ChatError {
    ChatError::Transient(format!("no reply from Slack within {}s", after.as_secs()))
}

/// A label for metrics: which kind of outcome a call had.
pub fn outcome_label(result: &Result<(), &ChatError>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(ChatError::RateLimited { .. }) => "rate_limited",
        Err(ChatError::Transient(_)) => "transient",
        Err(ChatError::Permanent(_)) => "permanent",
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;
    use slack_morphism::errors::{
        SlackClientApiError, SlackClientEndOfStreamError, SlackClientHttpError,
        SlackClientHttpProtocolError, SlackRateLimitError,
    };

    use super::*;

    fn api_error(code: &str) -> SlackClientError {
        SlackClientError::ApiError(
            SlackClientApiError::new(code.to_owned())
                .with_http_response_body(format!("{{\"ok\":false,\"error\":\"{code}\"}}")),
        )
    }

    #[test]
    fn http_429_waits_for_retry_after() {
        let error = SlackClientError::RateLimitError(
            SlackRateLimitError::new().with_retry_after(Duration::from_secs(7)),
        );
        assert_eq!(
            classify(&error),
            ChatError::RateLimited {
                retry_after: Duration::from_secs(7)
            }
        );
        let without_header = SlackClientError::RateLimitError(SlackRateLimitError::new());
        assert_eq!(
            classify(&without_header),
            ChatError::RateLimited {
                retry_after: DEFAULT_RETRY_AFTER
            }
        );
        assert!(matches!(
            classify(&api_error("ratelimited")),
            ChatError::RateLimited { .. }
        ));
    }

    #[test]
    fn server_errors_timeouts_and_lost_connections_are_transient() {
        for status in [500, 502, 503, 504, 408] {
            let error = SlackClientError::HttpError(SlackClientHttpError::new(
                StatusCode::from_u16(status).expect("a status"),
            ));
            assert!(
                matches!(classify(&error), ChatError::Transient(_)),
                "{status}"
            );
        }
        let dropped = SlackClientError::HttpProtocolError(SlackClientHttpProtocolError::new());
        assert!(matches!(classify(&dropped), ChatError::Transient(_)));
        let cut = SlackClientError::EndOfStream(SlackClientEndOfStreamError::new());
        assert!(matches!(classify(&cut), ChatError::Transient(_)));
        for code in [
            "internal_error",
            "fatal_error",
            "service_unavailable",
            "request_timeout",
        ] {
            assert!(
                matches!(classify(&api_error(code)), ChatError::Transient(_)),
                "{code}"
            );
        }
        assert!(matches!(
            timed_out(Duration::from_secs(10)),
            ChatError::Transient(text) if text.contains("10s")
        ));
    }

    #[test]
    fn what_retrying_cannot_fix_is_permanent_and_names_slacks_code() {
        for code in [
            "user_not_found",
            "cannot_dm_bot",
            "user_disabled",
            "account_inactive",
            "channel_not_found",
            "not_in_channel",
            "is_archived",
            "too_many_users",
            "invalid_blocks",
            "msg_too_long",
            "invalid_auth",
            "not_authed",
        ] {
            match classify(&api_error(code)) {
                ChatError::Permanent(text) => assert_eq!(text, format!("slack: {code}")),
                other => panic!("{code}: {other:?}"),
            }
        }
        let forbidden =
            SlackClientError::HttpError(SlackClientHttpError::new(StatusCode::FORBIDDEN));
        assert!(classify(&forbidden).is_permanent());
    }

    #[test]
    fn error_texts_never_carry_the_response_body() {
        let error = SlackClientError::ApiError(
            SlackClientApiError::new("invalid_auth".into())
                .with_http_response_body("{\"secret\":\"xoxb-123\"}".into()),
        );
        assert!(!classify(&error).to_string().contains("xoxb"));
    }
}
