//! Is this activity really from Bot Framework, for us? The checks Microsoft requires of
//! every request to a bot's messaging endpoint, in order:
//!
//! 1. an `Authorization: Bearer <JWT>` header;
//! 2. the JWT's algorithm is RS256 (the only one Bot Framework's metadata lists) —
//!    checked before any key is looked up, so `none` and HMAC tokens never get near one;
//! 3. its `kid` names a key published at the OpenID metadata's `jwks_uri` (refetched,
//!    rate-limited, when an unknown `kid` shows up — see `keys.rs`);
//! 4. the signature verifies with that key;
//! 5. issuer `https://api.botframework.com`; audience our app id;
//! 6. not expired and already valid, with five minutes of clock skew;
//! 7. the `serviceurl` claim equals the activity's `serviceUrl` (a token cannot be
//!    replayed to steer our replies elsewhere);
//! 8. the key is endorsed for the activity's `channelId` (`msteams`).
//!
//! Any failure is a 403 and the activity is not processed.

mod keys;

use std::collections::HashSet;

use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

pub(crate) use keys::SigningKeys;

/// The only issuer of tokens Bot Framework sends to bots.
pub const BOT_FRAMEWORK_ISSUER: &str = "https://api.botframework.com";
/// Industry-standard clock skew, as Microsoft's checklist puts it.
const CLOCK_SKEW_SECONDS: u64 = 5 * 60;

/// Why an incoming request was refused. Never carries the token itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no Authorization header")]
    MissingHeader,
    #[error("the Authorization header is not a Bearer token")]
    NotBearer,
    #[error("the token is not a well-formed JWT: {0}")]
    Malformed(String),
    #[error("tokens signed with {0} are not accepted (RS256 only)")]
    WrongAlgorithm(String),
    #[error("the token names no signing key")]
    NoKeyId,
    #[error("no published signing key has id {0}")]
    UnknownKey(String),
    #[error("the signing keys could not be fetched: {0}")]
    KeysUnavailable(String),
    #[error("the token failed validation: {0}")]
    Invalid(String),
    #[error("the token has no serviceurl claim")]
    MissingServiceUrl,
    #[error("the token's serviceurl does not match the activity's serviceUrl")]
    ServiceUrlMismatch,
    #[error("the activity names no channel")]
    MissingChannel,
    #[error("the signing key is not endorsed for channel {0}")]
    NotEndorsed(String),
}

#[derive(Debug, Deserialize)]
struct Claims {
    #[serde(default)]
    serviceurl: Option<String>,
}

/// Validates Bot Framework's tokens for one bot.
#[derive(Debug)]
pub(crate) struct TokenVerifier {
    app_id: String,
    keys: SigningKeys,
}

impl TokenVerifier {
    pub(crate) fn new(app_id: String, keys: SigningKeys) -> Self {
        Self { app_id, keys }
    }

    /// Checks `authorization` (the header's value) for an activity that says it comes
    /// from `service_url` on channel `channel_id`.
    pub(crate) async fn verify(
        &self,
        authorization: Option<&str>,
        service_url: &str,
        channel_id: &str,
    ) -> Result<(), AuthError> {
        let header = authorization.ok_or(AuthError::MissingHeader)?;
        let token = bearer(header).ok_or(AuthError::NotBearer)?;
        let jwt_header = jsonwebtoken::decode_header(token)
            .map_err(|err| AuthError::Malformed(err.to_string()))?;
        if jwt_header.alg != Algorithm::RS256 {
            return Err(AuthError::WrongAlgorithm(format!("{:?}", jwt_header.alg)));
        }
        let kid = jwt_header.kid.ok_or(AuthError::NoKeyId)?;
        let key = self.keys.key(&kid).await?;

        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[BOT_FRAMEWORK_ISSUER]);
        validation.set_audience(&[self.app_id.as_str()]);
        validation.leeway = CLOCK_SKEW_SECONDS;
        validation.validate_nbf = true;
        validation.required_spec_claims = HashSet::from(["exp", "iss", "aud"].map(str::to_owned));
        let data = jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation)
            .map_err(|err| AuthError::Invalid(format!("{:?}", err.kind())))?;

        let claimed = data.claims.serviceurl.ok_or(AuthError::MissingServiceUrl)?;
        if !same_service_url(&claimed, service_url) {
            return Err(AuthError::ServiceUrlMismatch);
        }
        if channel_id.is_empty() {
            return Err(AuthError::MissingChannel);
        }
        if !key.endorsements.iter().any(|e| e == channel_id) {
            return Err(AuthError::NotEndorsed(channel_id.to_owned()));
        }
        Ok(())
    }
}

fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Service URLs compare as Bot Framework's SDKs compare them: ignoring case and a
/// trailing slash.
fn same_service_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bearer_scheme_carries_a_token() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer abc"), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }

    #[test]
    fn service_urls_match_regardless_of_case_and_trailing_slash() {
        assert!(same_service_url(
            "https://smba.trafficmanager.net/amer/",
            "https://SMBA.trafficmanager.net/amer"
        ));
        assert!(!same_service_url(
            "https://smba.trafficmanager.net/amer/",
            "https://smba.trafficmanager.net/emea/"
        ));
    }
}
