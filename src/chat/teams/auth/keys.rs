//! Bot Framework's signing keys: found through the OpenID metadata document, cached,
//! and refetched when a token names a key we do not know — at most once a minute, so a
//! flood of tokens with made-up key ids cannot turn us into a load generator.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use tokio::sync::Mutex;

use super::AuthError;

/// How long a fetched key set is trusted before it is fetched again. Bot Framework's
/// keys change rarely and are published before use (its SDKs cache them for days).
const KEYS_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// At most one refetch per this long because of an unknown key id.
const UNKNOWN_KID_REFETCH_INTERVAL: Duration = Duration::from_secs(60);
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// A published key: how to verify with it and what it may vouch for.
#[derive(Clone)]
pub(crate) struct SigningKey {
    pub decoding: DecodingKey,
    pub endorsements: Vec<String>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("endorsements", &self.endorsements)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Cache {
    keys: HashMap<String, SigningKey>,
    fetched_at: Option<Instant>,
    unknown_kid_refetch_at: Option<Instant>,
}

#[derive(Debug)]
pub(crate) struct SigningKeys {
    http: reqwest::Client,
    metadata_url: String,
    /// Held across a fetch, so concurrent requests wait for one fetch instead of each
    /// starting their own.
    cache: Mutex<Cache>,
}

#[derive(Deserialize)]
struct Metadata {
    jwks_uri: String,
}

#[derive(Deserialize)]
struct KeySet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    #[serde(default)]
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    endorsements: Vec<String>,
}

impl SigningKeys {
    pub(crate) fn new(http: reqwest::Client, metadata_url: String) -> Self {
        Self {
            http,
            metadata_url,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The published key `kid`.
    pub(crate) async fn key(&self, kid: &str) -> Result<SigningKey, AuthError> {
        let mut cache = self.cache.lock().await;
        let stale = cache
            .fetched_at
            .is_none_or(|at| at.elapsed() >= KEYS_MAX_AGE);
        if stale {
            self.refetch(&mut cache).await?;
        }
        if let Some(key) = cache.keys.get(kid) {
            return Ok(key.clone());
        }
        let may_refetch = cache
            .unknown_kid_refetch_at
            .is_none_or(|at| at.elapsed() >= UNKNOWN_KID_REFETCH_INTERVAL);
        if !stale && may_refetch {
            cache.unknown_kid_refetch_at = Some(Instant::now());
            tracing::info!(%kid, "a token names an unknown signing key; fetching the key set again");
            self.refetch(&mut cache).await?;
        }
        cache
            .keys
            .get(kid)
            .cloned()
            .ok_or_else(|| AuthError::UnknownKey(kid.to_owned()))
    }

    async fn refetch(&self, cache: &mut Cache) -> Result<(), AuthError> {
        let unavailable = |what: &str, err: reqwest::Error| {
            AuthError::KeysUnavailable(format!("{what}: {}", err.without_url()))
        };
        let metadata: Metadata = self
            .http
            .get(&self.metadata_url)
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|err| unavailable("OpenID metadata", err))?
            .json()
            .await
            .map_err(|err| unavailable("OpenID metadata", err))?;
        let set: KeySet = self
            .http
            .get(&metadata.jwks_uri)
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|err| unavailable("signing keys", err))?
            .json()
            .await
            .map_err(|err| unavailable("signing keys", err))?;
        let mut keys = HashMap::new();
        for jwk in set.keys {
            let (Some(kid), Some(n), Some(e)) = (jwk.kid, jwk.n, jwk.e) else {
                continue;
            };
            if jwk.kty != "RSA" {
                continue;
            }
            match DecodingKey::from_rsa_components(&n, &e) {
                Ok(decoding) => {
                    keys.insert(
                        kid,
                        SigningKey {
                            decoding,
                            endorsements: jwk.endorsements,
                        },
                    );
                }
                Err(err) => {
                    tracing::warn!(%kid, error = %err, "skipping an unreadable signing key")
                }
            }
        }
        tracing::debug!(keys = keys.len(), "fetched Bot Framework's signing keys");
        cache.keys = keys;
        cache.fetched_at = Some(Instant::now());
        Ok(())
    }
}
