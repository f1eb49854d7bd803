//! Issued authorisation codes and tokens of both OAuth flows.
//!
//! Tokens are random strings; each remembers the fault generations current when it was
//! issued (see [`crate::Faults`]), which is how "expire every token" and "revoke the grant"
//! take effect without touching the store.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;

use crate::faults::Faults;

/// Lifetime of refresh tokens (⚠ not documented; a year).
const REFRESH_TTL_SECS: i64 = 365 * 24 * 3600;

/// A random token with a prefix.
pub(crate) fn random_token(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(buf))
}

/// The state of a presented token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenState {
    Valid,
    Unknown,
    Expired,
    Revoked,
}

#[derive(Debug, Clone, Copy)]
struct Access {
    expires_at: i64,
    expire_generation: u64,
    revoke_generation: u64,
    invalidate_generation: u64,
}

#[derive(Debug, Clone, Copy)]
struct Refresh {
    expires_at: i64,
    revoke_generation: u64,
}

/// A token pair as returned by the token endpoints (expiries are absolute Unix seconds).
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub(crate) access_token: String,
    pub(crate) access_expires_at: i64,
    pub(crate) refresh_token: String,
    pub(crate) refresh_expires_at: i64,
}

/// Every code and token handed out.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    codes: HashSet<String>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    ads_codes: HashSet<String>,
    /// Marketing API tokens with the revocation generation current when each was issued.
    ads_tokens: HashMap<String, u64>,
}

impl TokenStore {
    /// A new single-use shop authorisation code.
    pub(crate) fn issue_code(&mut self) -> String {
        let code = random_token("TTP_", 24);
        self.codes.insert(code.clone());
        code
    }

    /// Consumes a shop authorisation code; false if unknown or already used.
    pub(crate) fn redeem_code(&mut self, code: &str) -> bool {
        self.codes.remove(code)
    }

    /// Issues an access token, with a new refresh token or the one being refreshed.
    pub(crate) fn issue(
        &mut self,
        now: i64,
        ttl: Duration,
        faults: &Faults,
        refresh: Option<&str>,
    ) -> Issued {
        let access_token = random_token("ROW_", 32);
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 4);
        let access = Access {
            expires_at: now.saturating_add(ttl),
            expire_generation: faults.expire_generation(),
            revoke_generation: faults.revoke_generation(),
            invalidate_generation: faults.invalidate_generation(),
        };
        self.access.insert(access_token.clone(), access);
        let (refresh_token, refresh_expires_at) =
            match refresh.and_then(|r| self.refresh.get(r).map(|x| (r, x))) {
                Some((token, record)) => (token.to_owned(), record.expires_at),
                None => {
                    let token = random_token("ROW_", 32);
                    let expires_at = now + REFRESH_TTL_SECS;
                    let record = Refresh {
                        expires_at,
                        revoke_generation: faults.revoke_generation(),
                    };
                    self.refresh.insert(token.clone(), record);
                    (token, expires_at)
                }
            };
        Issued {
            access_token,
            access_expires_at: access.expires_at,
            refresh_token,
            refresh_expires_at,
        }
    }

    /// The state of a shop access token at `now`.
    pub(crate) fn check_access(&self, token: &str, now: i64, faults: &Faults) -> TokenState {
        match self.access.get(token) {
            None => TokenState::Unknown,
            Some(a) if a.invalidate_generation < faults.invalidate_generation() => {
                TokenState::Unknown
            }
            Some(a) if a.revoke_generation < faults.revoke_generation() => TokenState::Revoked,
            Some(a) if a.expire_generation < faults.expire_generation() || a.expires_at <= now => {
                TokenState::Expired
            }
            Some(_) => TokenState::Valid,
        }
    }

    /// The state of a refresh token at `now`.
    pub(crate) fn check_refresh(&self, token: &str, now: i64, faults: &Faults) -> TokenState {
        match self.refresh.get(token) {
            None => TokenState::Unknown,
            Some(r) if r.revoke_generation < faults.revoke_generation() => TokenState::Revoked,
            Some(r) if r.expires_at <= now => TokenState::Expired,
            Some(_) => TokenState::Valid,
        }
    }

    /// A new single-use Marketing API authorisation code.
    pub(crate) fn issue_ads_code(&mut self) -> String {
        let code = random_token("", 20);
        self.ads_codes.insert(code.clone());
        code
    }

    /// Exchanges an ads authorisation code for a (non-expiring) access token.
    pub(crate) fn redeem_ads_code(&mut self, code: &str, faults: &Faults) -> Option<String> {
        self.ads_codes.remove(code).then(|| {
            let mut bytes = [0u8; 20];
            rand::rng().fill_bytes(&mut bytes);
            let token = hex::encode(bytes);
            self.ads_tokens
                .insert(token.clone(), faults.revoke_generation());
            token
        })
    }

    /// Whether a Marketing API token was issued and not revoked since (a revoked grant ends
    /// the seller's ad tokens too).
    pub(crate) fn ads_token_valid(&self, token: &str, faults: &Faults) -> bool {
        self.ads_tokens
            .get(token)
            .is_some_and(|generation| *generation >= faults.revoke_generation())
    }
}
