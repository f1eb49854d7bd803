//! Shopify's signatures: the install callback's `hmac` (hex HMAC-SHA256 of the sorted
//! `key=value` pairs joined by `&`, `hmac` itself left out) and webhooks'
//! `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw body), both keyed by the app secret.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn mac(secret: &str, message: &[u8]) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Vec::new();
    };
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Hex HMAC-SHA256 of `message`.
pub(crate) fn hex_hmac(secret: &str, message: &str) -> String {
    hex::encode(mac(secret, message.as_bytes()))
}

/// The `hmac` of an install callback's query parameters (all but `hmac` and `signature`,
/// sorted by key, `key=value` joined by `&`, values as sent before URL encoding).
pub(crate) fn query_hmac(secret: &str, params: &[(String, String)]) -> String {
    let mut pairs: Vec<String> = params
        .iter()
        .filter(|(k, _)| k != "hmac" && k != "signature")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    pairs.sort();
    hex_hmac(secret, &pairs.join("&"))
}

/// Base64 HMAC-SHA256 of a webhook's raw body.
pub(crate) fn body_hmac(secret: &str, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(mac(secret, body))
}
