//! Secrets at rest: workspace tokens are sealed with XChaCha20-Poly1305 under the key in
//! `POUROVER_ENCRYPTION_KEY` before they reach the database, and opened when read back.
//!
//! A sealed value is text, `v1:` followed by base64url (no padding) of the 24-byte random
//! nonce and the ciphertext with its 16-byte tag. The prefix names the format, so a later
//! one (another algorithm, a key id for rotation) can be told apart. Every value is sealed
//! for a *context* — what it is and whose, e.g. `slack_installations.bot_token:T0123` —
//! passed as associated data: a ciphertext copied into another row or column fails to
//! open instead of handing one workspace another's token.
//!
//! Nothing here ever prints key bytes or plaintext: [`EncryptionKey`]'s `Debug` is
//! redacted, it has no `Display`, its bytes are wiped on drop, opened values come back as
//! [`SecretString`], and errors name the setting, never a value.
//!
//! ```
//! use pourover::crypto::EncryptionKey;
//! use secrecy::ExposeSecret;
//!
//! let key = EncryptionKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")?;
//! let sealed = key.seal("xoxb-1-secret", "slack_installations.bot_token:T1")?;
//! assert!(sealed.as_str().starts_with("v1:"));
//! let opened = key.open(&sealed, "slack_installations.bot_token:T1")?;
//! assert_eq!(opened.expose_secret(), "xoxb-1-secret");
//! # Ok::<(), pourover::crypto::CryptoError>(())
//! ```

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::SecretString;
use zeroize::Zeroizing;

/// The environment variable holding the key: 32 bytes, base64.
pub const ENCRYPTION_KEY_ENV: &str = "POUROVER_ENCRYPTION_KEY";

/// How long a key is, in bytes.
pub const KEY_BYTES: usize = 32;

/// The current format's prefix.
const V1_PREFIX: &str = "v1:";
const NONCE_BYTES: usize = 24;
const TAG_BYTES: usize = 16;

/// What can go wrong. Messages are one line, name `POUROVER_ENCRYPTION_KEY` where the key
/// is at fault, and never contain a key, a plaintext or a ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error(
        "POUROVER_ENCRYPTION_KEY must be 32 bytes in base64 (it decodes to {got} bytes); \
         generate one with `openssl rand -base64 32`"
    )]
    KeyLength { got: usize },
    #[error("POUROVER_ENCRYPTION_KEY is not base64; generate one with `openssl rand -base64 32`")]
    KeyNotBase64,
    #[error("an encrypted value is not in a format this version knows (expected `v1:…`)")]
    UnknownFormat,
    #[error(
        "an encrypted value does not open: it was sealed under another POUROVER_ENCRYPTION_KEY, \
         for another context, or altered"
    )]
    DoesNotOpen,
    #[error("an encrypted value opened to something that is not text")]
    NotText,
    #[error("encrypting a value failed")]
    SealFailed,
}

/// The key tokens are sealed with. `Debug` shows `EncryptionKey([REDACTED])`; the bytes
/// are wiped when the last copy is dropped.
#[derive(Clone)]
pub struct EncryptionKey {
    bytes: Zeroizing<[u8; KEY_BYTES]>,
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey([REDACTED])")
    }
}

impl EncryptionKey {
    /// A key from its base64 text (standard or URL-safe alphabet, padded or not;
    /// surrounding whitespace, such as a file's trailing newline, is ignored).
    pub fn from_base64(encoded: &str) -> Result<Self, CryptoError> {
        let encoded = encoded.trim();
        let decoded = Zeroizing::new(
            [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
                .iter()
                .find_map(|engine| engine.decode(encoded).ok())
                .ok_or(CryptoError::KeyNotBase64)?,
        );
        let bytes: [u8; KEY_BYTES] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::KeyLength { got: decoded.len() })?;
        Ok(Self {
            bytes: Zeroizing::new(bytes),
        })
    }

    /// The key in `POUROVER_ENCRYPTION_KEY`, read through `lookup` (e.g.
    /// `|name| std::env::var(name).ok()`); `Ok(None)` when it is unset or blank.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, CryptoError> {
        match lookup(ENCRYPTION_KEY_ENV).map(Zeroizing::new) {
            Some(value) if !value.trim().is_empty() => Self::from_base64(&value).map(Some),
            _ => Ok(None),
        }
    }

    /// A fresh random key (for generating one to put in `POUROVER_ENCRYPTION_KEY`).
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0_u8; KEY_BYTES]);
        OsRng.fill_bytes(bytes.as_mut_slice());
        Self { bytes }
    }

    /// The key as standard base64, the form `POUROVER_ENCRYPTION_KEY` takes.
    pub fn to_base64(&self) -> SecretString {
        SecretString::from(STANDARD.encode(self.bytes.as_slice()))
    }

    /// Seals `plaintext` for `context` under a fresh random nonce: sealing the same
    /// value twice gives two different results.
    pub fn seal(&self, plaintext: &str, context: &str) -> Result<Sealed, CryptoError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::SealFailed)?;
        let mut packed = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
        packed.extend_from_slice(&nonce[..]);
        packed.extend_from_slice(&ciphertext);
        Ok(Sealed(format!(
            "{V1_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(packed)
        )))
    }

    /// Opens a value sealed for `context` under this key.
    pub fn open(&self, sealed: &Sealed, context: &str) -> Result<SecretString, CryptoError> {
        let packed = sealed
            .as_str()
            .strip_prefix(V1_PREFIX)
            .and_then(|body| URL_SAFE_NO_PAD.decode(body).ok())
            .filter(|packed| packed.len() >= NONCE_BYTES + TAG_BYTES)
            .ok_or(CryptoError::UnknownFormat)?;
        let (nonce, ciphertext) = packed.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| CryptoError::UnknownFormat)?;
        let plaintext = Zeroizing::new(
            self.cipher()
                .decrypt(
                    &XNonce::from(nonce),
                    Payload {
                        msg: ciphertext,
                        aad: context.as_bytes(),
                    },
                )
                .map_err(|_| CryptoError::DoesNotOpen)?,
        );
        let text = std::str::from_utf8(&plaintext).map_err(|_| CryptoError::NotText)?;
        Ok(SecretString::from(text.to_owned()))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.bytes.as_slice().into())
    }
}

/// A sealed value as stored: `v1:` + base64url. Not secret (it is what the database
/// holds), but only [`EncryptionKey::open`] makes sense of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sealed(String);

impl Sealed {
    /// A value read back from storage (checked when opened).
    pub fn from_stored(stored: impl Into<String>) -> Self {
        Self(stored.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    const CONTEXT: &str = "slack_installations.bot_token:T0123";

    fn key() -> EncryptionKey {
        EncryptionKey::generate()
    }

    #[test]
    fn a_sealed_value_opens_to_the_original_under_the_same_key_and_context() {
        let key = key();
        let sealed = key.seal("xoxe.xoxb-1-abc", CONTEXT).expect("seals");
        assert!(sealed.as_str().starts_with("v1:"));
        assert!(!sealed.as_str().contains("xoxb"));
        let opened = key.open(&sealed, CONTEXT).expect("opens");
        assert_eq!(opened.expose_secret(), "xoxe.xoxb-1-abc");
        let stored = Sealed::from_stored(sealed.clone().into_string());
        assert_eq!(stored, sealed);
    }

    #[test]
    fn sealing_the_same_value_twice_uses_a_fresh_nonce() {
        let key = key();
        let first = key.seal("same", CONTEXT).expect("seals");
        let second = key.seal("same", CONTEXT).expect("seals");
        assert_ne!(first, second);
    }

    #[test]
    fn an_empty_value_round_trips() {
        let key = key();
        let sealed = key.seal("", CONTEXT).expect("seals");
        assert_eq!(
            key.open(&sealed, CONTEXT).expect("opens").expose_secret(),
            ""
        );
    }

    #[test]
    fn a_tampered_value_does_not_open() {
        let key = key();
        let sealed = key.seal("xoxb-1-abc", CONTEXT).expect("seals");
        let text = sealed.as_str();
        // Flip one character of the ciphertext body (past the prefix and the nonce).
        let position = text.len() - 5;
        let flipped = if &text[position..=position] == "A" {
            "B"
        } else {
            "A"
        };
        let tampered = Sealed::from_stored(format!(
            "{}{flipped}{}",
            &text[..position],
            &text[position + 1..]
        ));
        assert_eq!(
            key.open(&tampered, CONTEXT).err(),
            Some(CryptoError::DoesNotOpen)
        );
        let truncated = Sealed::from_stored(&text[..text.len() - 4]);
        assert!(key.open(&truncated, CONTEXT).is_err());
    }

    #[test]
    fn a_value_sealed_under_another_key_does_not_open() {
        let sealed = key().seal("xoxb-1-abc", CONTEXT).expect("seals");
        assert_eq!(
            key().open(&sealed, CONTEXT).err(),
            Some(CryptoError::DoesNotOpen)
        );
    }

    #[test]
    fn a_value_sealed_for_another_row_does_not_open() {
        let key = key();
        let sealed = key.seal("xoxb-1-abc", CONTEXT).expect("seals");
        let other_row = "slack_installations.bot_token:T0999";
        assert_eq!(
            key.open(&sealed, other_row).err(),
            Some(CryptoError::DoesNotOpen)
        );
    }

    #[test]
    fn an_unknown_format_is_refused() {
        let key = key();
        for stored in ["xoxb-plaintext", "v2:AAAA", "v1:!!not base64!!", "v1:AAAA"] {
            assert_eq!(
                key.open(&Sealed::from_stored(stored), CONTEXT).err(),
                Some(CryptoError::UnknownFormat),
                "{stored}"
            );
        }
    }

    #[test]
    fn a_key_of_the_wrong_length_is_a_one_line_error_naming_the_variable() {
        let short = STANDARD.encode([7_u8; 16]);
        let error = EncryptionKey::from_base64(&short).expect_err("16 bytes");
        assert_eq!(error, CryptoError::KeyLength { got: 16 });
        let message = error.to_string();
        assert!(message.contains("POUROVER_ENCRYPTION_KEY"), "{message}");
        assert!(message.contains("32 bytes"), "{message}");
        assert!(!message.contains('\n'));
        let long = STANDARD.encode([7_u8; 48]);
        assert_eq!(
            EncryptionKey::from_base64(&long).err(),
            Some(CryptoError::KeyLength { got: 48 })
        );
        let error = EncryptionKey::from_base64("not base64 at all!").expect_err("garbage");
        assert_eq!(error, CryptoError::KeyNotBase64);
        assert!(error.to_string().contains("POUROVER_ENCRYPTION_KEY"));
    }

    #[test]
    fn a_key_reads_from_any_base64_spelling_and_ignores_a_trailing_newline() {
        let bytes: Vec<u8> = (0..32).map(|byte| byte * 7).collect();
        let reference = EncryptionKey::from_base64(&STANDARD.encode(&bytes)).expect("standard");
        let sealed = reference.seal("token", CONTEXT).expect("seals");
        for spelling in [
            format!("{}\n", STANDARD.encode(&bytes)),
            URL_SAFE.encode(&bytes),
            STANDARD_NO_PAD.encode(&bytes),
            URL_SAFE_NO_PAD.encode(&bytes),
        ] {
            let key = EncryptionKey::from_base64(&spelling).expect("reads");
            assert_eq!(
                key.open(&sealed, CONTEXT)
                    .expect("the same key")
                    .expose_secret(),
                "token"
            );
        }
    }

    #[test]
    fn the_key_comes_from_pourover_encryption_key_and_unset_means_none() {
        let encoded = key().to_base64();
        let from_env = EncryptionKey::from_env(|name| {
            (name == ENCRYPTION_KEY_ENV).then(|| encoded.expose_secret().to_owned())
        })
        .expect("valid");
        assert!(from_env.is_some());
        assert!(EncryptionKey::from_env(|_| None).expect("unset").is_none());
        assert!(
            EncryptionKey::from_env(|_| Some("  ".into()))
                .expect("blank")
                .is_none()
        );
        assert!(EncryptionKey::from_env(|_| Some("c2hvcnQ=".into())).is_err());
    }

    #[test]
    fn a_key_never_shows_its_bytes() {
        let bytes = [0xAB_u8; 32];
        let key = EncryptionKey::from_base64(&STANDARD.encode(bytes)).expect("valid");
        let shown = format!("{key:?} {:?}", Some(key.clone()));
        assert!(shown.contains("[REDACTED]"), "{shown}");
        assert!(
            !shown.contains("171") && !shown.to_lowercase().contains("ab"),
            "{shown}"
        );
        assert!(!shown.contains(&STANDARD.encode(bytes)));
        let opened = key
            .open(&key.seal("xoxb-secret", CONTEXT).expect("seals"), CONTEXT)
            .expect("opens");
        assert!(!format!("{opened:?}").contains("xoxb-secret"));
    }
}
