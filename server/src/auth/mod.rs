//! Authentication and tenancy: who is calling, for which org, with which scopes.
//!
//! Every token names its org; the org never comes from a query argument. Tokens are either
//! signed by this server (HS256: `pnl token`, partner apps via `/oauth/token`) or by a trusted
//! external issuer (RS256/ES256 against configured public keys). Each key accepts exactly one
//! algorithm, so `none` and HS/RS confusion are impossible. External issuers are bound to the
//! orgs and scopes they may name; tokens `pnl token` signed can be revoked by their `jti`.

mod issuers;
pub mod jwt;
pub mod partner;
pub mod secret;
pub mod tokens;

use std::fmt;
use std::str::FromStr;

pub use issuers::TrustedIssuers;
pub use jwt::{Claims, JwtKeys};

use crate::error::{Error, Result};
use crate::org::OrgRef;

/// A permission a token can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Read P&L, ledger, payouts.
    PnlRead,
    /// Maintain unit costs, FX rates and creator costs.
    CostsWrite,
    /// Connect shops, import files, trigger syncs.
    ConnectorsWrite,
    /// Everything, including fee mappings and partner apps.
    Admin,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Self; 4] = [
        Self::PnlRead,
        Self::CostsWrite,
        Self::ConnectorsWrite,
        Self::Admin,
    ];

    /// The scope's name in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PnlRead => "pnl:read",
            Self::CostsWrite => "costs:write",
            Self::ConnectorsWrite => "connectors:write",
            Self::Admin => "admin",
        }
    }
}

impl FromStr for Scope {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == text)
            .ok_or_else(|| {
                Error::bad_input(format!(
                    "unknown scope {text:?}: expected pnl:read, costs:write, connectors:write or admin"
                ))
            })
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes, written space-separated as in OAuth 2.0.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Parses a space-separated list strictly: an unknown scope is an error.
    ///
    /// # Errors
    /// An unknown scope name, or an empty list.
    pub fn parse_strict(text: &str) -> Result<Self> {
        let mut scopes = text
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<Vec<Scope>>>()?;
        if scopes.is_empty() {
            return Err(Error::bad_input("at least one scope is required"));
        }
        scopes.sort();
        scopes.dedup();
        Ok(Self(scopes))
    }

    /// Parses a token's `scope` claim leniently: scopes of other systems (`openid`, …) are ignored.
    pub fn parse_lenient(text: &str) -> Self {
        let mut scopes: Vec<Scope> = text
            .split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect();
        scopes.sort();
        scopes.dedup();
        Self(scopes)
    }

    /// Whether `scope` is granted (`admin` grants every scope).
    pub fn allows(&self, scope: Scope) -> bool {
        self.0.contains(&scope) || self.0.contains(&Scope::Admin)
    }

    /// Whether every scope of `other` is granted here.
    pub fn covers(&self, other: &Self) -> bool {
        other.0.iter().all(|scope| self.allows(*scope))
    }

    /// The scopes, sorted.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|scope| scope.as_str()).collect();
        f.write_str(&names.join(" "))
    }
}

/// The verified caller of one request.
#[derive(Clone, Debug)]
pub struct Viewer {
    /// The org every query of this request is scoped to.
    pub org: OrgRef,
    /// The token's `sub`.
    pub subject: String,
    /// The granted scopes.
    pub scopes: Scopes,
    /// The partner app the token was issued to, if any.
    pub client_id: Option<String>,
}

impl Viewer {
    /// Fails with FORBIDDEN unless `scope` is granted.
    ///
    /// # Errors
    /// [`Error::Forbidden`] naming the missing scope.
    pub fn require(&self, scope: Scope) -> Result<()> {
        if self.scopes.allows(scope) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "this operation needs the {scope} scope"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_allows_every_scope() {
        let scopes = Scopes::parse_strict("admin").unwrap();
        assert!(Scope::ALL.iter().all(|scope| scopes.allows(*scope)));
    }

    #[test]
    fn strict_parsing_names_an_unknown_scope() {
        let error = Scopes::parse_strict("pnl:read pnl:write").unwrap_err();
        assert!(error.to_string().contains("\"pnl:write\""), "{error}");
    }

    #[test]
    fn lenient_parsing_ignores_foreign_scopes() {
        let scopes = Scopes::parse_lenient("openid pnl:read profile");
        assert_eq!(scopes.to_string(), "pnl:read");
    }
}
