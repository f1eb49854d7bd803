//! Configuration: code defaults, then an optional `pnl.toml`, then `PNL_*` environment variables,
//! then command-line flags (each layer overrides the one before). Validated once at start-up.

mod limits;

pub use limits::{GraphqlConfig, ImportConfig, RateLimitConfig};

pub use crate::connectors::config::ChannelsConfig;

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::value::{Dict, Map};
use figment::{Figment, Metadata, Profile, Provider};
use serde::{Deserialize, Serialize};

/// Everything the server and the CLI read at start-up.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address the HTTP server binds (`PNL_LISTEN`).
    pub listen: SocketAddr,
    /// Database URL (`PNL_DATABASE_URL`); default: a SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Directory for the embedded database and generated secrets (`PNL_DATA_DIR`).
    pub data_dir: PathBuf,
    /// HS256 secret for tokens this server signs (`PNL_JWT_SECRET`); generated and kept in
    /// `data_dir` when unset.
    pub jwt_secret: Option<Secret>,
    /// `iss` of tokens this server signs, and the issuer they must carry (`PNL_JWT_ISSUER`).
    pub jwt_issuer: String,
    /// `aud` every token must carry (`PNL_JWT_AUDIENCE`).
    pub jwt_audience: String,
    /// Lifetime of tokens issued to partner apps by `/oauth/token` (`PNL_PARTNER_TOKEN_TTL`,
    /// written like `15m`).
    #[serde(with = "duration_text")]
    pub partner_token_ttl: Duration,
    /// `pretty` or `json` log lines (`PNL_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// GraphQL endpoint limits.
    pub graphql: GraphqlConfig,
    /// External issuers (partner apps, identity providers) whose RS256/ES256 tokens are accepted.
    pub trusted_issuers: Vec<TrustedIssuerConfig>,
    /// Key that encrypts channel credentials at rest (`PNL_SECRET_KEY`, 32 bytes in base64);
    /// generated and kept in `data_dir` when unset.
    pub secret_key: Option<Secret>,
    /// The URL browsers and channels reach this server at (`PNL_PUBLIC_URL`), for OAuth
    /// redirects; default `http://{listen}`.
    pub public_url: Option<String>,
    /// Each channel's app (`[<channel>]` tables at the top level, see
    /// [`crate::connectors::config`]).
    #[serde(flatten)]
    pub channels: ChannelsConfig,
    /// The sync engine.
    pub sync: SyncConfig,
    /// Request rates per token and per client address.
    pub rate_limit: RateLimitConfig,
    /// File imports (the upload size limit).
    pub import: ImportConfig,
}

/// The sync engine (`[sync]`). Durations are written like `20s`, `1h` or `3d` and parsed when
/// the configuration is read (a bad one fails start-up, naming its key).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncConfig {
    /// Run sync jobs in this process (turn off on API-only replicas).
    pub worker: bool,
    /// Time between syncs of one shop, e.g. `1h`; a failed sync is retried after this or
    /// 5 minutes, whichever is shorter.
    #[serde(with = "duration_text")]
    pub interval: Duration,
    /// How far back each sync re-reads before its last cursor (late statements, restatements).
    #[serde(with = "duration_text")]
    pub overlap: Duration,
    /// How far back the first sync of a shop reads, in days (1–730).
    pub backfill_days: u32,
    /// How long a claimed job stays claimed without a heartbeat (renewed every quarter of it),
    /// e.g. `20s`: a worker that died on PostgreSQL is replaced this long after its last beat.
    #[serde(with = "duration_text")]
    pub lease: Duration,
    /// How often the worker looks for due jobs, e.g. `10s`.
    #[serde(with = "duration_text")]
    pub poll: Duration,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            worker: true,
            interval: Duration::from_secs(3600),
            overlap: Duration::from_secs(3 * 86_400),
            backfill_days: 90,
            lease: Duration::from_secs(20),
            poll: Duration::from_secs(5),
        }
    }
}

/// Durations as the configuration writes them (`90s`, `15m`, `1h`, `7d`): read with
/// [`parse_ttl`] (so within its bounds), written back in the same notation.
mod duration_text {
    use std::time::Duration;

    use serde::{de, Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        value: &Duration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&humantime::format_duration(*value))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Duration, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_ttl(&text).map_err(|error| de::Error::custom(format!("{error:#}")))
    }
}

/// One external token issuer and the public keys its tokens are checked against.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrustedIssuerConfig {
    /// The exact `iss` its tokens carry.
    pub issuer: String,
    /// The `aud` its tokens must carry; defaults to `jwt_audience`.
    pub audience: Option<String>,
    /// A JWKS file (`{"keys": [...]}`); each key's algorithm comes from its `alg` or its type.
    pub jwks_file: Option<PathBuf>,
    /// A single PEM public key file; needs `algorithm`.
    pub pem_file: Option<PathBuf>,
    /// The one algorithm accepted for `pem_file` (`RS256`, `RS384`, `RS512`, `PS256`, `ES256`, `ES384`, `EdDSA`).
    pub algorithm: Option<String>,
    /// Key id a `pem_file` key answers to (optional).
    pub kid: Option<String>,
    /// The orgs its tokens may name; `["*"]` accepts any org. Required: an issuer without it
    /// is refused at start-up, so a partner's own signer can never name someone else's org.
    pub orgs: Option<Vec<String>>,
    /// The most its tokens may grant, space-separated (default `pnl:read`); a token asking for
    /// more is refused.
    pub max_scopes: Option<String>,
}

/// Log line format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line.
    Json,
}

/// A string that never appears in logs or `Debug` output.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("data_dir", &self.data_dir)
            .field("jwt_secret", &self.jwt_secret)
            .field("jwt_issuer", &self.jwt_issuer)
            .field("jwt_audience", &self.jwt_audience)
            .field("log_format", &self.log_format)
            .field("graphql", &self.graphql)
            .field("trusted_issuers", &self.trusted_issuers)
            .field("secret_key", &self.secret_key)
            .field("public_url", &self.public_url)
            .field("channels", &self.channels)
            .field("sync", &self.sync)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

/// Hides the password of a database URL.
pub(crate) fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://[redacted]{}", &url[..scheme], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            data_dir: PathBuf::from("data"),
            jwt_secret: None,
            jwt_issuer: "pnl".to_owned(),
            jwt_audience: "pnl".to_owned(),
            partner_token_ttl: Duration::from_secs(15 * 60),
            log_format: LogFormat::Pretty,
            graphql: GraphqlConfig::default(),
            trusted_issuers: Vec::new(),
            secret_key: None,
            public_url: None,
            channels: ChannelsConfig::default(),
            sync: SyncConfig::default(),
            rate_limit: RateLimitConfig::default(),
            import: ImportConfig::default(),
        }
    }
}

/// Overrides given on the command line; `None` leaves the lower layers in force.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    /// `--listen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// `--database-url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// `--data-dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
}

/// Loads the configuration: defaults < `config_file` (or `./pnl.toml` when present) < `PNL_*`
/// environment < `overrides`.
///
/// # Errors
/// A named config file that does not exist, a malformed file or variable, or a value that fails
/// validation.
pub fn load(config_file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Config> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    match config_file {
        Some(path) if !path.exists() => bail!("config file {} does not exist", path.display()),
        Some(path) => figment = figment.merge(Toml::file(path)),
        None => figment = figment.merge(Toml::file("pnl.toml")),
    }
    // Lossy: a setting that needs a number or a boolean reads it from a string (every
    // environment value is one, see `StringEnv`).
    let config: Config = figment
        .merge(StringEnv(
            Env::prefixed("PNL_").split("__").ignore(&["config"]),
        ))
        .merge(Serialized::globals(overrides))
        .extract_lossy()
        .context("invalid configuration")?;
    config.validate()?;
    Ok(config)
}

/// `PNL_*` environment variables with every value kept as the string it is: figment's own `Env`
/// guesses types, so a hex `PNL_SECRET_KEY` made only of digits became a number and was refused
/// where a string is expected. Settings that need numbers or booleans read them from the string
/// (`extract_lossy`).
struct StringEnv(Env);

impl Provider for StringEnv {
    fn metadata(&self) -> Metadata {
        self.0.metadata()
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut root = serde_json::Map::new();
        for (key, value) in self.0.iter() {
            let mut parts = key.as_str().split('.').peekable();
            let mut table = &mut root;
            while let Some(part) = parts.next() {
                if parts.peek().is_none() {
                    table.insert(part.to_owned(), serde_json::Value::String(value.clone()));
                    break;
                }
                let entry = table
                    .entry(part.to_owned())
                    .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                if !entry.is_object() {
                    *entry = serde_json::Value::Object(serde_json::Map::new());
                }
                let serde_json::Value::Object(next) = entry else {
                    break;
                };
                table = next;
            }
        }
        Serialized::globals(root).data()
    }
}

impl Config {
    /// Checks values that deserialize but make no sense.
    ///
    /// # Errors
    /// The first invalid value, named.
    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(secret) = &self.jwt_secret {
            if secret.expose().len() < 32 {
                bail!("PNL_JWT_SECRET must be at least 32 characters long");
            }
        }
        if self.jwt_issuer.is_empty() || self.jwt_audience.is_empty() {
            bail!("jwt_issuer and jwt_audience must not be empty");
        }
        if !(1..=730).contains(&self.sync.backfill_days) {
            bail!(
                "sync.backfill_days must be between 1 and 730 (two years), got {}",
                self.sync.backfill_days
            );
        }
        for issuer in &self.trusted_issuers {
            if issuer.issuer == self.jwt_issuer {
                bail!(
                    "trusted issuer {:?} has the same name as this server's own issuer",
                    issuer.issuer
                );
            }
            if issuer.jwks_file.is_some() == issuer.pem_file.is_some() {
                bail!(
                    "trusted issuer {:?} needs exactly one of jwks_file or pem_file",
                    issuer.issuer
                );
            }
        }
        Ok(())
    }

    /// The database URL in force: the configured one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("pnl.db").display()
            ),
        }
    }

    /// The public base URL (no trailing slash).
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Lifetime of partner-app tokens.
    pub fn partner_token_ttl(&self) -> Duration {
        self.partner_token_ttl
    }
}

/// Parses a token lifetime such as `90s`, `15m`, `1h` or `7d`; between 1 second and 366 days.
///
/// # Errors
/// When the text is not such a duration or lies outside the bounds.
pub fn parse_ttl(text: &str) -> anyhow::Result<Duration> {
    let ttl = humantime::parse_duration(text.trim())
        .with_context(|| format!("invalid duration {text:?}: expected e.g. 15m, 1h or 7d"))?;
    if ttl < Duration::from_secs(1) || ttl > Duration::from_secs(366 * 86_400) {
        bail!("duration {text:?} must be between 1s and 366d");
    }
    Ok(ttl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_database_is_a_sqlite_file_in_the_data_dir() {
        let config = Config::default();
        assert_eq!(config.database_url(), "sqlite://data/pnl.db?mode=rwc");
    }

    #[test]
    // figment's `Jail` closure returns figment's own (large) error type.
    #[allow(clippy::result_large_err)]
    fn environment_values_made_of_digits_are_strings_where_a_string_is_wanted() {
        figment::Jail::expect_with(|jail| {
            let digits = "1234567890123456789012345678901234567890";
            jail.set_env("PNL_JWT_SECRET", digits);
            jail.set_env("PNL_SECRET_KEY", "0123456789");
            jail.set_env("PNL_TIKTOK__APP_KEY", "6e5");
            jail.set_env("PNL_GRAPHQL__DEPTH_LIMIT", "8");
            jail.set_env("PNL_SYNC__WORKER", "false");
            let config = load(None, &Overrides::default()).map_err(|e| format!("{e:#}"))?;
            assert_eq!(config.jwt_secret.as_ref().map(Secret::expose), Some(digits));
            assert_eq!(
                config.secret_key.as_ref().map(Secret::expose),
                Some("0123456789")
            );
            assert_eq!(config.channels.tiktok.app_key, "6e5");
            assert_eq!(config.graphql.depth_limit, 8);
            assert!(!config.sync.worker);
            Ok(())
        });
    }

    #[test]
    // figment's `Jail` closure returns figment's own (large) error type.
    #[allow(clippy::result_large_err)]
    fn durations_are_read_once_and_a_bad_one_names_its_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PNL_SYNC__INTERVAL", "90s");
            jail.set_env("PNL_SYNC__OVERLAP", "2d");
            jail.set_env("PNL_PARTNER_TOKEN_TTL", "1h");
            let config = load(None, &Overrides::default()).map_err(|e| format!("{e:#}"))?;
            assert_eq!(config.sync.interval, Duration::from_secs(90));
            assert_eq!(config.sync.overlap, Duration::from_secs(2 * 86_400));
            assert_eq!(config.sync.lease, Duration::from_secs(20), "default");
            assert_eq!(config.partner_token_ttl(), Duration::from_secs(3600));

            jail.set_env("PNL_SYNC__LEASE", "forever");
            let error = load(None, &Overrides::default())
                .map(|_| ())
                .expect_err("a bad duration fails");
            // figment names an environment key as written: `SYNC.LEASE`.
            let shown = format!("{error:#}");
            assert!(
                shown.to_lowercase().contains("sync.lease") && shown.contains("forever"),
                "{shown}"
            );
            Ok(())
        });
    }

    #[test]
    fn durations_are_written_back_as_text_that_reads_the_same() {
        let text = toml::to_string(&SyncConfig::default()).unwrap();
        assert!(text.contains("interval = \"1h\""), "{text}");
        let back: SyncConfig = toml::from_str(&text).unwrap();
        assert_eq!(back.overlap, Duration::from_secs(3 * 86_400));
    }

    #[test]
    fn short_jwt_secret_is_refused() {
        let config = Config {
            jwt_secret: Some(Secret::new("short")),
            ..Config::default()
        };
        assert!(config.validate().is_err());
    }

    #[test]
    fn ttl_parses_human_durations_within_bounds() {
        assert_eq!(parse_ttl("1h").unwrap(), Duration::from_secs(3600));
        assert!(parse_ttl("0s").is_err());
        assert!(parse_ttl("forever").is_err());
    }

    #[test]
    fn debug_output_hides_secrets_and_passwords() {
        let config = Config {
            jwt_secret: Some(Secret::new("x".repeat(40))),
            database_url: Some("postgres://pnl:hunter2@db/pnl".to_owned()),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("xxxx"),
            "{shown}"
        );
    }
}
