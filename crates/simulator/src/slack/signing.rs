//! Slack's v0 request signing: `v0=` + hex(HMAC-SHA256(signing secret, `v0:{ts}:{body}`)),
//! sent in `X-Slack-Signature` with the timestamp in `X-Slack-Request-Timestamp`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::SimError;

pub const SIGNATURE_HEADER: &str = "X-Slack-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Slack-Request-Timestamp";
pub const RETRY_NUM_HEADER: &str = "X-Slack-Retry-Num";
pub const RETRY_REASON_HEADER: &str = "X-Slack-Retry-Reason";

/// The `X-Slack-Signature` value for `body` sent at `timestamp` (unix seconds).
pub fn sign(signing_secret: &str, timestamp: i64, body: &str) -> Result<String, SimError> {
    // HMAC takes keys of any length, so this error is theoretical; report it anyway.
    let mut mac = Hmac::<Sha256>::new_from_slice(signing_secret.as_bytes())
        .map_err(|error| SimError::InvalidConfig(format!("signing secret: {error}")))?;
    mac.update(b"v0:");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b":");
    mac.update(body.as_bytes());
    Ok(format!("v0={}", hex::encode(mac.finalize().into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_documentation_example_signs_as_documented() {
        // From Slack's "Verifying requests from Slack" guide.
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        let signature = sign("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body).expect("signs");
        assert_eq!(
            signature,
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
        );
    }
}
