//! External token issuers (partner apps' own signers, identity providers) and their public keys,
//! loaded once at start-up from PEM or JWKS files. Each key accepts exactly one asymmetric
//! algorithm; symmetric keys are refused here, so no external token can be checked with HMAC.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};

use crate::config::TrustedIssuerConfig;

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
    pub(crate) audience: Option<String>,
    pub(crate) keys: Vec<TrustedKey>,
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
            issuers.insert(
                config.issuer.clone(),
                TrustedIssuer {
                    audience: config.audience.clone(),
                    keys,
                },
            );
        }
        Ok(Self(Arc::new(issuers)))
    }

    pub(crate) fn get(&self, issuer: &str) -> Option<&TrustedIssuer> {
        self.0.get(issuer)
    }
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
