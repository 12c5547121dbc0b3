//! The keys the simulated Bot Framework signs its tokens with, published the way
//! `login.botframework.com` publishes them: a JWKS whose entries carry Bot Framework's
//! `endorsements` extension (the channel ids a key may vouch for).
//!
//! The RSA key pair is generated once per process and seed from a seeded ChaCha stream,
//! so no private key is ever committed and every simulator with the same seed publishes
//! the same key. Generating it takes a moment; every simulator in a test binary shares it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

use crate::error::SimError;
use crate::sync::lock;

/// Bot Framework's keys are 2048-bit RSA.
const KEY_BITS: usize = 2048;

/// One RSA key pair: what is needed to sign, and its public half as JWK numbers.
#[derive(Debug)]
pub(crate) struct KeyMaterial {
    /// PKCS#1 DER, what `jsonwebtoken` signs RS256 with.
    private_der: Vec<u8>,
    /// Modulus and exponent, base64url without padding (JWK `n` and `e`).
    modulus: String,
    exponent: String,
}

impl KeyMaterial {
    /// The key pair for `seed`, generated on first use and shared by the whole process.
    pub(crate) fn for_seed(seed: u64) -> Result<Arc<KeyMaterial>, SimError> {
        static GENERATED: OnceLock<Mutex<HashMap<u64, Arc<KeyMaterial>>>> = OnceLock::new();
        let cache = GENERATED.get_or_init(|| Mutex::new(HashMap::new()));
        // Generating under the lock: two simulators starting together wait for one key
        // instead of both burning a core on the same primes.
        let mut cache = lock(cache);
        if let Some(material) = cache.get(&seed) {
            return Ok(material.clone());
        }
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let private = RsaPrivateKey::new(&mut rng, KEY_BITS)
            .map_err(|error| SimError::InvalidConfig(format!("test RSA key: {error}")))?;
        let private_der = private
            .to_pkcs1_der()
            .map_err(|error| SimError::InvalidConfig(format!("test RSA key: {error}")))?
            .as_bytes()
            .to_vec();
        let material = Arc::new(KeyMaterial {
            private_der,
            modulus: URL_SAFE_NO_PAD.encode(private.n().to_bytes_be()),
            exponent: URL_SAFE_NO_PAD.encode(private.e().to_bytes_be()),
        });
        cache.insert(seed, material.clone());
        Ok(material)
    }

    /// The modulus bytes: what an attacker would use as an HMAC secret in an
    /// algorithm-confusion forgery.
    pub(crate) fn public_modulus(&self) -> &str {
        &self.modulus
    }
}

/// One entry of the published key set.
#[derive(Debug, Clone)]
pub(crate) struct PublishedKey {
    pub kid: String,
    pub endorsements: Vec<String>,
}

/// The published key set and the key ids the simulator signs with.
#[derive(Debug)]
pub(crate) struct KeyRing {
    material: Arc<KeyMaterial>,
    published: Vec<PublishedKey>,
    /// The key genuine tokens are signed with.
    signing_kid: String,
    /// Published, but endorsed for other channels only (not `msteams`).
    unendorsed_kid: String,
    rotations: u32,
}

/// The channel ids Bot Framework endorses its keys for (a subset is enough here).
const ENDORSED_CHANNELS: [&str; 3] = ["msteams", "skype", "webchat"];

impl KeyRing {
    pub(crate) fn new(material: Arc<KeyMaterial>, seed: u64) -> Self {
        let signing_kid = format!("sim-{seed:x}-1");
        let unendorsed_kid = format!("sim-{seed:x}-unendorsed");
        Self {
            material,
            published: vec![
                PublishedKey {
                    kid: signing_kid.clone(),
                    endorsements: ENDORSED_CHANNELS.iter().map(|c| (*c).to_owned()).collect(),
                },
                PublishedKey {
                    kid: unendorsed_kid.clone(),
                    endorsements: vec!["skype".to_owned()],
                },
            ],
            signing_kid,
            unendorsed_kid,
            rotations: 1,
        }
    }

    pub(crate) fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    pub(crate) fn unendorsed_kid(&self) -> &str {
        &self.unendorsed_kid
    }

    pub(crate) fn material(&self) -> &KeyMaterial {
        &self.material
    }

    /// Publishes a new key id and signs with it from now on; the old one stays published,
    /// as Bot Framework keeps retiring keys listed for a while.
    pub(crate) fn rotate(&mut self) -> String {
        self.rotations += 1;
        let kid = format!(
            "{}-r{}",
            self.signing_kid.trim_end_matches("-1"),
            self.rotations
        );
        self.published.push(PublishedKey {
            kid: kid.clone(),
            endorsements: ENDORSED_CHANNELS.iter().map(|c| (*c).to_owned()).collect(),
        });
        self.signing_kid = kid.clone();
        kid
    }

    /// The body `jwks_uri` serves.
    pub(crate) fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .published
            .iter()
            .map(|key| {
                json!({
                    "kty": "RSA",
                    "use": "sig",
                    "kid": key.kid,
                    "x5t": key.kid,
                    "n": self.material.modulus,
                    "e": self.material.exponent,
                    "endorsements": key.endorsements,
                })
            })
            .collect();
        json!({ "keys": keys })
    }

    /// An RS256 token over `claims` whose header names `kid`.
    pub(crate) fn sign(&self, kid: &str, claims: &Value) -> Result<String, SimError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        header.x5t = Some(kid.to_owned());
        jsonwebtoken::encode(
            &header,
            claims,
            &EncodingKey::from_rsa_der(&self.material.private_der),
        )
        .map_err(|error| SimError::Encoding(format!("signing a token: {error}")))
    }
}
