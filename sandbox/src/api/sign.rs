//! Request signing of the shop API (reference §1.3), verified from the raw request.
//!
//! The string to sign is the request path, then every query parameter except `sign`,
//! `access_token` (and a stray `x-tts-access-token`) sorted by key in byte order and
//! concatenated as `{key}{value}`, then the raw body bytes of a non-GET request; it is
//! wrapped in the app secret on both sides and signed with HMAC-SHA256 keyed by the app
//! secret, as lowercase hex. Values are compared after URL-decoding, as the SDKs sign
//! the decoded values.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Decodes `%XX` escapes and `+` (form encoding) in a query component.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query component (RFC 3986 unreserved characters kept).
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Splits a raw query string into decoded `(key, value)` pairs, in order.
pub(crate) fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(pair), String::new()),
        })
        .collect()
}

fn signed_params(params: &[(String, String)], skip_empty: bool) -> Vec<(&str, &str)> {
    let mut kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "sign" | "access_token" | "x-tts-access-token"))
        .filter(|(_, v)| !(skip_empty && v.is_empty()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    kept
}

fn compute(secret: &str, path: &str, params: &[(&str, &str)], body: &[u8]) -> String {
    let mut message = Vec::with_capacity(secret.len() * 2 + path.len() + body.len() + 64);
    message.extend_from_slice(secret.as_bytes());
    message.extend_from_slice(path.as_bytes());
    for (k, v) in params {
        message.extend_from_slice(k.as_bytes());
        message.extend_from_slice(v.as_bytes());
    }
    message.extend_from_slice(body);
    message.extend_from_slice(secret.as_bytes());
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(&message);
    hex::encode(mac.finalize().into_bytes())
}

/// The signature of a request (body: the raw bytes of a non-GET request, else empty).
#[cfg(test)]
pub(crate) fn sign(secret: &str, path: &str, params: &[(String, String)], body: &[u8]) -> String {
    compute(secret, path, &signed_params(params, false), body)
}

/// Compares two byte strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `provided` is the request's signature. Empty-valued parameters may be signed
/// or left out (the .NET SDK drops them from the signature, the others keep them).
pub(crate) fn verify(
    secret: &str,
    path: &str,
    params: &[(String, String)],
    body: &[u8],
    provided: &str,
) -> bool {
    let full = compute(secret, path, &signed_params(params, false), body);
    if constant_time_eq(full.as_bytes(), provided.as_bytes()) {
        return true;
    }
    params.iter().any(|(_, v)| v.is_empty()) && {
        let trimmed = compute(secret, path, &signed_params(params, true), body);
        constant_time_eq(trimmed.as_bytes(), provided.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector_params() -> Vec<(String, String)> {
        parse_query(
            "app_key=68xu9ks5p4i8&shop_cipher=ROW_xkMbgAAAeVAQra0eZWebFQq5aIK&timestamp=1696909648",
        )
    }

    #[test]
    fn published_get_vector_matches() {
        let sign = sign(
            "e59af819cc",
            "/event/202309/webhooks",
            &vector_params(),
            b"",
        );
        assert_eq!(
            sign,
            "ed58e1b5e59865c22a7b828c1cab65007441f43cc91a6cb2f2cdc638e0995a37"
        );
    }

    #[test]
    fn published_put_vector_matches() {
        let body = br#"{"event_type":"PACKAGE_UPDATE","address":"https://partner.tiktokshop.com"}"#;
        let sign = sign(
            "e59af819cc",
            "/event/202309/webhooks",
            &vector_params(),
            body,
        );
        assert_eq!(
            sign,
            "701dd6deb2389fe4c469b89bd37fc56f96a6da6afeb4d01c9077a65169752fa7"
        );
    }

    #[test]
    fn verify_rejects_uppercase_and_ignores_sign_and_access_token() {
        let mut params = vector_params();
        let good = "ed58e1b5e59865c22a7b828c1cab65007441f43cc91a6cb2f2cdc638e0995a37";
        params.push(("sign".to_owned(), good.to_owned()));
        params.push(("access_token".to_owned(), "legacy".to_owned()));
        assert!(verify(
            "e59af819cc",
            "/event/202309/webhooks",
            &params,
            b"",
            good
        ));
        let upper = good.to_uppercase();
        assert!(!verify(
            "e59af819cc",
            "/event/202309/webhooks",
            &params,
            b"",
            &upper
        ));
    }

    #[test]
    fn query_values_are_decoded_before_signing() {
        let params = parse_query("ids=a%2Cb&x=1+2&flag");
        assert_eq!(params[0], ("ids".to_owned(), "a,b".to_owned()));
        assert_eq!(params[1].1, "1 2");
        assert_eq!(params[2], ("flag".to_owned(), String::new()));
        assert_eq!(percent_encode("a b/c"), "a%20b%2Fc");
    }
}
