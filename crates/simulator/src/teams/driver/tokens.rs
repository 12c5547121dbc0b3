//! The `Authorization` header Bot Framework puts on every activity it sends a bot: a
//! JWT signed with a published key — and every way of getting it wrong on purpose.

use serde_json::{Value, json};

use crate::clock::SimClock;
use crate::error::SimError;
use crate::sync::lock;
use crate::teams::login::BOT_FRAMEWORK_ISSUER;
use crate::teams::state::TeamsState;

/// A way to forge the token on an activity, to test that the bot refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenForgery {
    /// Issued by someone other than `https://api.botframework.com`.
    WrongIssuer,
    /// Meant for another bot (`aud` is not our app id).
    WrongAudience,
    /// Expired six minutes ago, beyond the five minutes of clock skew allowed.
    Expired,
    /// Not valid for another six minutes.
    NotYetValid,
    /// Signed with a key id the signing keys do not list.
    UnknownKeyId,
    /// The token's `serviceurl` claim names another service than the activity.
    ServiceUrlMismatch,
    /// No `serviceurl` claim at all.
    MissingServiceUrl,
    /// Signed with a published key that is not endorsed for `msteams`.
    MissingEndorsement,
    /// A genuine token whose signature was altered.
    BadSignature,
    /// `alg: none`, no signature.
    AlgorithmNone,
    /// HS256 "signed" with the public key as the secret (algorithm confusion).
    SymmetricKeyConfusion,
    /// No `Authorization` header.
    MissingToken,
    /// A header with another scheme than `Bearer`.
    NotBearer,
}

impl TokenForgery {
    pub const ALL: [TokenForgery; 13] = [
        TokenForgery::WrongIssuer,
        TokenForgery::WrongAudience,
        TokenForgery::Expired,
        TokenForgery::NotYetValid,
        TokenForgery::UnknownKeyId,
        TokenForgery::ServiceUrlMismatch,
        TokenForgery::MissingServiceUrl,
        TokenForgery::MissingEndorsement,
        TokenForgery::BadSignature,
        TokenForgery::AlgorithmNone,
        TokenForgery::SymmetricKeyConfusion,
        TokenForgery::MissingToken,
        TokenForgery::NotBearer,
    ];
}

/// Clock skew Bot Framework tolerates; forgeries step just beyond it.
const SKEW_SECONDS: i64 = 5 * 60;
const LIFETIME_SECONDS: i64 = 60 * 60;

/// The `Authorization` header value for an activity whose `serviceUrl` is
/// `service_url`, forged as asked; None when the forgery is to send no header.
pub(crate) fn authorization(
    state: &TeamsState,
    service_url: &str,
    forgery: Option<TokenForgery>,
) -> Result<Option<String>, SimError> {
    let now = SimClock::unix_seconds();
    let mut claims = json!({
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + LIFETIME_SECONDS,
        "iss": BOT_FRAMEWORK_ISSUER,
        "aud": state.config.app_id,
    });
    let keys = lock(&state.keys);
    let mut kid = keys.signing_kid().to_owned();
    match forgery {
        None => {}
        Some(TokenForgery::WrongIssuer) => {
            claims["iss"] = json!("https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/")
        }
        Some(TokenForgery::WrongAudience) => {
            claims["aud"] = json!("11111111-2222-4333-8444-555555555555")
        }
        Some(TokenForgery::Expired) => {
            claims["exp"] = json!(now - SKEW_SECONDS - 60);
            claims["nbf"] = json!(now - SKEW_SECONDS - 60 - LIFETIME_SECONDS);
        }
        Some(TokenForgery::NotYetValid) => claims["nbf"] = json!(now + SKEW_SECONDS + 60),
        Some(TokenForgery::UnknownKeyId) => kid = format!("{kid}-never-published"),
        Some(TokenForgery::ServiceUrlMismatch) => {
            claims["serviceurl"] = json!("https://smba.attacker.example/amer/")
        }
        Some(TokenForgery::MissingServiceUrl) => {
            if let Some(fields) = claims.as_object_mut() {
                fields.remove("serviceurl");
            }
        }
        Some(TokenForgery::MissingEndorsement) => kid = keys.unendorsed_kid().to_owned(),
        Some(TokenForgery::BadSignature) => {
            let token = keys.sign(&kid, &claims)?;
            return Ok(Some(format!("Bearer {}", tamper(&token))));
        }
        Some(TokenForgery::AlgorithmNone) => {
            let header = json!({ "alg": "none", "typ": "JWT", "kid": kid });
            return Ok(Some(format!("Bearer {}.", unsigned(&header, &claims))));
        }
        Some(TokenForgery::SymmetricKeyConfusion) => {
            let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
            header.kid = Some(kid);
            let secret = keys.material().public_modulus().as_bytes().to_vec();
            let token = jsonwebtoken::encode(
                &header,
                &claims,
                &jsonwebtoken::EncodingKey::from_secret(&secret),
            )
            .map_err(|error| SimError::Encoding(format!("signing a token: {error}")))?;
            return Ok(Some(format!("Bearer {token}")));
        }
        Some(TokenForgery::MissingToken) => return Ok(None),
        Some(TokenForgery::NotBearer) => {
            let token = keys.sign(&kid, &claims)?;
            return Ok(Some(format!("Basic {token}")));
        }
    }
    Ok(Some(format!("Bearer {}", keys.sign(&kid, &claims)?)))
}

/// Changes one character in the middle of the signature, keeping it valid base64url.
fn tamper(token: &str) -> String {
    let Some(dot) = token.rfind('.') else {
        return token.to_owned();
    };
    let (head, signature) = token.split_at(dot + 1);
    let mut chars: Vec<char> = signature.chars().collect();
    let middle = chars.len() / 2;
    if let Some(c) = chars.get_mut(middle) {
        *c = if *c == 'A' { 'B' } else { 'A' };
    }
    format!("{head}{}", chars.into_iter().collect::<String>())
}

fn unsigned(header: &Value, claims: &Value) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}
