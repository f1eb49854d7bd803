//! Signing and verifying tokens.
//!
//! Verification picks the key by the token's issuer (and `kid`), then requires the header's
//! algorithm to be the one that key accepts: our own issuer only ever accepts HS256 with the
//! server secret, an external issuer only the asymmetric algorithm of each of its keys. A token
//! naming `none`, or HS256 for an RSA issuer, therefore never reaches signature checking. A
//! verified token of an external issuer must then stay within the orgs and scopes that issuer is
//! bound to ([`super::issuers`]).

use std::time::Duration;

use base64::Engine;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};

use super::{Scopes, TrustedIssuers};
use crate::error::{Error, Result};

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 30;

/// What a verified token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: a user, a service or a partner app.
    pub sub: String,
    /// The org every request with this token is scoped to.
    pub org: String,
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Issued at, Unix seconds.
    #[serde(default)]
    pub iat: i64,
    /// Issuer.
    pub iss: String,
    /// Audience (a string or a list).
    pub aud: Audience,
    /// Not before, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The partner app the token was issued to (RFC 9068 `client_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Token id (RFC 7519 `jti`): every token this server signs has one, so that a token
    /// `pnl token` recorded can be revoked. Older tokens have none and stay valid until `exp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// A token this server signed, with what is needed to record it.
#[derive(Clone, Debug)]
pub struct SignedToken {
    /// The compact JWT.
    pub token: String,
    /// Its `jti`.
    pub jti: String,
    /// Its `exp`.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The `aud` claim, which RFC 7519 allows as one string or a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// One audience.
    One(String),
    /// Several audiences.
    Many(Vec<String>),
}

/// The server's signing key and every key it verifies with.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
    trusted: TrustedIssuers,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// What to put in a token this server signs.
#[derive(Clone, Debug)]
pub struct TokenRequest<'a> {
    /// `sub`.
    pub subject: &'a str,
    /// `org`.
    pub org: &'a str,
    /// `scope`.
    pub scopes: &'a Scopes,
    /// Lifetime from now.
    pub ttl: Duration,
    /// `client_id`, for partner-app tokens.
    pub client_id: Option<&'a str>,
}

impl JwtKeys {
    /// Keys from the HS256 `secret`, our `issuer` and `audience`, and the external issuers.
    pub fn new(secret: &[u8], issuer: &str, audience: &str, trusted: TrustedIssuers) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            trusted,
        }
    }

    /// Signs an HS256 token.
    ///
    /// # Errors
    /// A lifetime that overflows the clock, or a signing failure.
    pub fn sign(&self, request: &TokenRequest<'_>) -> Result<String> {
        self.sign_with_id(request).map(|signed| signed.token)
    }

    /// Signs an HS256 token with a fresh random `jti`, returned beside it.
    ///
    /// # Errors
    /// A lifetime that overflows the clock, or a signing failure.
    pub fn sign_with_id(&self, request: &TokenRequest<'_>) -> Result<SignedToken> {
        let now = chrono::Utc::now().timestamp();
        let ttl =
            i64::try_from(request.ttl.as_secs()).map_err(|_| Error::bad_input("ttl too long"))?;
        let jti = uuid::Uuid::new_v4().simple().to_string();
        let expires_at = chrono::DateTime::from_timestamp(now.saturating_add(ttl), 0)
            .ok_or_else(|| Error::bad_input("ttl too long"))?;
        let claims = Claims {
            sub: request.subject.to_owned(),
            org: request.org.to_owned(),
            scope: request.scopes.to_string(),
            exp: now + ttl,
            iat: now,
            iss: self.issuer.clone(),
            aud: Audience::One(self.audience.clone()),
            nbf: None,
            client_id: request.client_id.map(ToOwned::to_owned),
            jti: Some(jti.clone()),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|error| anyhow::anyhow!("signing a token failed: {error}"))?;
        Ok(SignedToken {
            token,
            jti,
            expires_at,
        })
    }

    /// Whether verified `claims` were signed by this server (not by an external issuer).
    pub fn is_own(&self, claims: &Claims) -> bool {
        claims.iss == self.issuer
    }

    /// Verifies `token` and returns its claims.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] saying what is wrong (malformed, unknown issuer, algorithm not
    /// allowed, bad signature, expired, not yet valid, wrong audience, missing claim).
    pub fn verify(&self, token: &str) -> Result<Claims> {
        let header = decode_header(token)
            .map_err(|_| invalid("malformed token or unsupported algorithm"))?;
        let issuer = unverified_issuer(token)?;
        if issuer == self.issuer {
            if header.alg != Algorithm::HS256 {
                return Err(invalid(&format!(
                    "algorithm {:?} is not accepted for issuer {issuer}",
                    header.alg
                )));
            }
            return check(
                token,
                &self.decoding,
                &validation(Algorithm::HS256, &issuer, &self.audience),
            );
        }
        let Some(trusted) = self.trusted.get(&issuer) else {
            return Err(invalid(&format!("issuer {issuer:?} is not trusted")));
        };
        let audience = trusted.audience.as_deref().unwrap_or(&self.audience);
        let mut candidates = trusted
            .keys
            .iter()
            .filter(|key| header.kid.is_none() || key.kid.is_none() || key.kid == header.kid)
            .filter(|key| key.algorithm == header.alg)
            .peekable();
        if candidates.peek().is_none() {
            return Err(invalid(&format!(
                "no key of issuer {issuer} accepts algorithm {:?}{}",
                header.alg,
                header
                    .kid
                    .as_deref()
                    .map(|kid| format!(" with kid {kid}"))
                    .unwrap_or_default()
            )));
        }
        let mut last = invalid("invalid signature");
        for key in candidates {
            match check(
                token,
                &key.key,
                &validation(key.algorithm, &issuer, audience),
            ) {
                Ok(claims) => {
                    trusted.permit(&claims.org, &claims.scope)?;
                    return Ok(claims);
                }
                Err(error) => last = error,
            }
        }
        Err(last)
    }
}

fn validation(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.leeway = LEEWAY_SECS;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation
}

fn check(token: &str, key: &DecodingKey, validation: &Validation) -> Result<Claims> {
    use jsonwebtoken::errors::ErrorKind;
    decode::<Claims>(token, key, validation)
        .map(|data| data.claims)
        .map_err(|error| match error.kind() {
            ErrorKind::ExpiredSignature => invalid("token expired"),
            ErrorKind::ImmatureSignature => invalid("token not valid yet (nbf)"),
            ErrorKind::InvalidAudience => invalid("token audience is not accepted"),
            ErrorKind::InvalidIssuer => invalid("token issuer is not accepted"),
            ErrorKind::InvalidSignature => invalid("invalid signature"),
            ErrorKind::MissingRequiredClaim(claim) => {
                invalid(&format!("token lacks the {claim} claim"))
            }
            ErrorKind::InvalidAlgorithm => invalid("algorithm not accepted"),
            ErrorKind::Json(_) => {
                invalid("token claims are malformed (need sub, org, exp, iss, aud)")
            }
            _ => invalid("malformed token"),
        })
}

fn invalid(reason: &str) -> Error {
    Error::Unauthenticated(format!("invalid token: {reason}"))
}

/// Reads `iss` from the payload without verifying anything, only to choose the key; the chosen
/// key's validation then checks `iss` again on the verified claims.
fn unverified_issuer(token: &str) -> Result<String> {
    #[derive(Deserialize)]
    struct Iss {
        iss: Option<String>,
    }
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| invalid("malformed token"))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| invalid("malformed token"))?;
    let claims: Iss = serde_json::from_slice(&bytes).map_err(|_| invalid("malformed token"))?;
    claims
        .iss
        .ok_or_else(|| invalid("token lacks the iss claim"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(&[7; 32], "pnl", "pnl", TrustedIssuers::default())
    }

    fn request(ttl: Duration) -> (Scopes, Duration) {
        (Scopes::parse_strict("pnl:read").unwrap(), ttl)
    }

    #[test]
    fn a_signed_token_verifies_with_its_claims() {
        let (scopes, ttl) = request(Duration::from_secs(60));
        let token = keys()
            .sign(&TokenRequest {
                subject: "me",
                org: "acme",
                scopes: &scopes,
                ttl,
                client_id: None,
            })
            .unwrap();
        let claims = keys().verify(&token).unwrap();
        assert_eq!(
            (claims.org.as_str(), claims.scope.as_str()),
            ("acme", "pnl:read")
        );
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let (scopes, ttl) = request(Duration::from_secs(60));
        let other = JwtKeys::new(&[8; 32], "pnl", "pnl", TrustedIssuers::default());
        let token = other
            .sign(&TokenRequest {
                subject: "me",
                org: "acme",
                scopes: &scopes,
                ttl,
                client_id: None,
            })
            .unwrap();
        assert_eq!(
            keys().verify(&token).unwrap_err().to_string(),
            "invalid token: invalid signature"
        );
    }

    #[test]
    fn alg_none_is_refused_before_any_key_is_tried() {
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"alg":"none","typ":"JWT"}"#);
        let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            r#"{"sub":"x","org":"acme","exp":9999999999,"iss":"pnl","aud":"pnl","scope":"admin"}"#,
        );
        let error = keys().verify(&format!("{header}.{body}.")).unwrap_err();
        assert!(matches!(error, Error::Unauthenticated(_)), "{error:?}");
    }
}
