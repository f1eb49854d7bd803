//! Encryption of channel credentials at rest: XChaCha20-Poly1305 with a 256-bit key from
//! `PNL_SECRET_KEY` (or generated into the data directory on first start), a random nonce per
//! value, and a version prefix so the scheme can change without guessing.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::error::{Error, Result};

const PREFIX: &str = "v1:";

/// HMAC-SHA256 of `message` under `key`: the signature scheme of every channel's requests,
/// callbacks and webhooks (each encodes it its own way).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Seals and opens secrets with the server's key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox([redacted])")
    }
}

impl SecretBox {
    /// A box from a base64 (standard or URL-safe) 32-byte key.
    ///
    /// # Errors
    /// A key that is not base64 of exactly 32 bytes.
    pub fn from_base64(key: &str) -> anyhow::Result<Self> {
        let key = key.trim();
        let bytes = URL_SAFE_NO_PAD
            .decode(key.trim_end_matches('='))
            .or_else(|_| STANDARD.decode(key))
            .map_err(|_| anyhow::anyhow!("PNL_SECRET_KEY must be base64"))?;
        anyhow::ensure!(
            bytes.len() == 32,
            "PNL_SECRET_KEY must be 32 bytes (got {})",
            bytes.len()
        );
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
            .map_err(|_| anyhow::anyhow!("invalid key length"))?;
        Ok(Self { cipher })
    }

    /// Encrypts `plain`.
    ///
    /// # Errors
    /// Never in practice (the AEAD only fails on absurd lengths).
    pub fn seal(&self, plain: &str) -> Result<String> {
        let nonce_bytes: [u8; 24] = rand::random();
        let nonce = XNonce::from(nonce_bytes);
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// Decrypts what [`SecretBox::seal`] produced.
    ///
    /// # Errors
    /// A value sealed with another key, or tampered with.
    pub fn open(&self, sealed: &str) -> Result<String> {
        let invalid = || {
            Error::Internal(anyhow::anyhow!(
                "stored credentials cannot be decrypted (was PNL_SECRET_KEY changed?)"
            ))
        };
        let body = sealed.strip_prefix(PREFIX).ok_or_else(invalid)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| invalid())?;
        if bytes.len() < 24 {
            return Err(invalid());
        }
        let (nonce, data) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| invalid())?;
        let plain = self
            .cipher
            .decrypt(&XNonce::from(nonce), data)
            .map_err(|_| invalid())?;
        String::from_utf8(plain).map_err(|_| invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> String {
        URL_SAFE_NO_PAD.encode([9u8; 32])
    }

    #[test]
    fn sealed_values_open_and_differ_each_time() {
        let secret_box = SecretBox::from_base64(&key()).unwrap();
        let a = secret_box.seal("refresh-token").unwrap();
        let b = secret_box.seal("refresh-token").unwrap();
        assert_ne!(a, b, "a fresh nonce per value");
        assert!(!a.contains("refresh-token"));
        assert_eq!(secret_box.open(&a).unwrap(), "refresh-token");
    }

    #[test]
    fn another_key_or_a_tampered_value_does_not_open() {
        let secret_box = SecretBox::from_base64(&key()).unwrap();
        let sealed = secret_box.seal("x").unwrap();
        let other = SecretBox::from_base64(&URL_SAFE_NO_PAD.encode([1u8; 32])).unwrap();
        assert!(other.open(&sealed).is_err());
        let mut tampered = sealed;
        tampered.push('A');
        assert!(secret_box.open(&tampered).is_err());
    }

    #[test]
    fn a_short_key_is_refused() {
        assert!(SecretBox::from_base64("c2hvcnQ").is_err());
    }
}
