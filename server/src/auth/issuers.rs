//! External token issuers (partner apps' own signers, identity providers) and their public keys,
//! loaded once at start-up from PEM or JWKS files. Each key accepts exactly one asymmetric
//! algorithm; symmetric keys are refused here, so no external token can be checked with HMAC.
//!
//! Each issuer is also bound to what it may say: the orgs its tokens may name (`orgs`, required;
//! `["*"]` for any) and the most scopes they may grant (`max_scopes`, default `pnl:read`). A
//! partner's signer holds its own private key, so without the binding it could mint a token for
//! any org with `admin`; with it, a signature only vouches for what the operator allowed.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};

use super::{Scope, Scopes};
use crate::config::TrustedIssuerConfig;
use crate::error::{Error, Result};

/// The `orgs` value that accepts every org.
const ANY_ORG: &str = "*";

/// One verification key of an external issuer.
#[derive(Clone)]
pub(crate) struct TrustedKey {
    pub(crate) kid: Option<String>,
    pub(crate) algorithm: Algorithm,
    pub(crate) key: DecodingKey,
}

/// One external issuer.
#[derive(Clone)]
pub(crate) struct TrustedIssuer {
    pub(crate) name: String,
    pub(crate) audience: Option<String>,
    pub(crate) keys: Vec<TrustedKey>,
    /// The orgs its tokens may name; `None` for any.
    orgs: Option<Vec<String>>,
    /// The most its tokens may grant.
    max_scopes: Scopes,
}

impl TrustedIssuer {
    /// Refuses verified claims that name an org or a scope beyond this issuer's binding.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] naming the issuer and what it may not do.
    pub(crate) fn permit(&self, org: &str, scope: &str) -> Result<()> {
        if let Some(orgs) = &self.orgs {
            if !orgs.iter().any(|allowed| allowed == org) {
                return Err(Error::Unauthenticated(format!(
                    "invalid token: issuer {} may not name org {org}",
                    self.name
                )));
            }
        }
        let beyond: Vec<Scope> = Scopes::parse_lenient(scope)
            .iter()
            .filter(|scope| !self.max_scopes.allows(*scope))
            .collect();
        if let Some(first) = beyond.first() {
            return Err(Error::Unauthenticated(format!(
                "invalid token: issuer {} may not grant scope {first} (its max_scopes are {})",
                self.name, self.max_scopes
            )));
        }
        Ok(())
    }
}

/// Every external issuer, by `iss`.
#[derive(Clone, Default)]
pub struct TrustedIssuers(Arc<HashMap<String, TrustedIssuer>>);

impl TrustedIssuers {
    /// Loads every configured issuer's keys.
    ///
    /// # Errors
    /// A file that cannot be read or parsed, a symmetric or unsupported key, an issuer without keys.
    pub fn load(configs: &[TrustedIssuerConfig]) -> anyhow::Result<Self> {
        let mut issuers = HashMap::new();
        for config in configs {
            let keys = match (&config.jwks_file, &config.pem_file) {
                (Some(path), None) => jwks_keys(path)?,
                (None, Some(path)) => vec![pem_key(path, config)?],
                _ => bail!(
                    "trusted issuer {:?} needs exactly one of jwks_file or pem_file",
                    config.issuer
                ),
            };
            if keys.is_empty() {
                bail!("trusted issuer {:?} has no usable keys", config.issuer);
            }
            let (orgs, max_scopes) = binding(config)?;
            issuers.insert(
                config.issuer.clone(),
                TrustedIssuer {
                    name: config.issuer.clone(),
                    audience: config.audience.clone(),
                    keys,
                    orgs,
                    max_scopes,
                },
            );
        }
        Ok(Self(Arc::new(issuers)))
    }

    pub(crate) fn get(&self, issuer: &str) -> Option<&TrustedIssuer> {
        self.0.get(issuer)
    }
}

/// The orgs (`None`: any) and the most scopes `config` allows its issuer.
fn binding(config: &TrustedIssuerConfig) -> anyhow::Result<(Option<Vec<String>>, Scopes)> {
    let issuer = &config.issuer;
    let Some(orgs) = &config.orgs else {
        bail!(
            "trusted issuer {issuer:?} does not say which orgs its tokens may name: add \
             `orgs = [\"<org key>\", ...]` to its [[trusted_issuers]] entry, or `orgs = [\"*\"]` \
             to accept any org"
        );
    };
    let orgs = match orgs.as_slice() {
        [] => bail!("trusted issuer {issuer:?} has `orgs = []`: name at least one org, or \"*\""),
        [any] if any == ANY_ORG => None,
        orgs => {
            for org in orgs {
                if org == ANY_ORG {
                    bail!("trusted issuer {issuer:?}: \"*\" in `orgs` must stand alone");
                }
                crate::org::validate_key(org)
                    .map_err(|error| anyhow::anyhow!("trusted issuer {issuer:?}: orgs: {error}"))?;
            }
            Some(orgs.to_vec())
        }
    };
    let max_scopes = Scopes::parse_strict(config.max_scopes.as_deref().unwrap_or("pnl:read"))
        .map_err(|error| anyhow::anyhow!("trusted issuer {issuer:?}: max_scopes: {error}"))?;
    Ok((orgs, max_scopes))
}

fn parse_asymmetric(name: &str) -> anyhow::Result<Algorithm> {
    let algorithm: Algorithm = name
        .parse()
        .with_context(|| format!("unknown algorithm {name:?}"))?;
    if matches!(
        algorithm,
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
    ) {
        bail!("algorithm {name} is symmetric; external issuers must use RS*, PS*, ES* or EdDSA");
    }
    Ok(algorithm)
}

fn pem_key(path: &Path, config: &TrustedIssuerConfig) -> anyhow::Result<TrustedKey> {
    let name = config.algorithm.as_deref().with_context(|| {
        format!(
            "trusted issuer {:?}: pem_file needs `algorithm`",
            config.issuer
        )
    })?;
    let algorithm = parse_asymmetric(name)?;
    let pem = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let key = match algorithm {
        Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(&pem),
        Algorithm::EdDSA => DecodingKey::from_ed_pem(&pem),
        _ => DecodingKey::from_rsa_pem(&pem),
    }
    .with_context(|| format!("{} is not a {name} public key in PEM form", path.display()))?;
    Ok(TrustedKey {
        kid: config.kid.clone(),
        algorithm,
        key,
    })
}

fn jwks_keys(path: &Path) -> anyhow::Result<Vec<TrustedKey>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let set: JwkSet =
        serde_json::from_str(&text).with_context(|| format!("{} is not a JWKS", path.display()))?;
    set.keys
        .iter()
        .map(|jwk| {
            let kid = jwk.common.key_id.clone();
            let algorithm = match (&jwk.common.key_algorithm, &jwk.algorithm) {
                (Some(alg), _) => parse_asymmetric(&alg.to_string())?,
                (None, AlgorithmParameters::RSA(_)) => Algorithm::RS256,
                (None, AlgorithmParameters::EllipticCurve(ec)) => match ec.curve {
                    EllipticCurve::P256 => Algorithm::ES256,
                    EllipticCurve::P384 => Algorithm::ES384,
                    _ => bail!("key {kid:?} in {}: unsupported curve", path.display()),
                },
                (None, AlgorithmParameters::OctetKeyPair(_)) => Algorithm::EdDSA,
                (None, AlgorithmParameters::OctetKey(_)) => {
                    bail!(
                        "key {kid:?} in {} is symmetric; only public keys are accepted",
                        path.display()
                    )
                }
            };
            if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
                bail!(
                    "key {kid:?} in {} is symmetric; only public keys are accepted",
                    path.display()
                );
            }
            let key = DecodingKey::from_jwk(jwk)
                .with_context(|| format!("key {kid:?} in {} is not usable", path.display()))?;
            Ok(TrustedKey {
                kid,
                algorithm,
                key,
            })
        })
        .collect()
}
