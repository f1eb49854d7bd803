//! Login with Amazon and where to call: the app's configuration, regional hosts by
//! marketplace, the Seller Central consent URL, the authorization-code exchange and the
//! refresh-token grant with a cached access token (reference A.1).

use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;

use super::error::AmazonError;
use super::rate::{Backoff, Quotas};

/// Refresh this long before the access token expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// The LWA token endpoint's path.
pub const TOKEN_PATH: &str = "/auth/o2/token";

/// An SP-API region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    /// North America (`sellingpartnerapi-na`): US, CA, MX, BR.
    Na,
    /// Europe (`sellingpartnerapi-eu`): UK, DE, FR, IT, ES, NL, SE, PL, BE, TR, EG, SA, AE, IN, ZA.
    Eu,
    /// Far East (`sellingpartnerapi-fe`): JP, AU, SG.
    Fe,
}

/// (marketplace id, country, region), from Amazon's marketplace id table.
const MARKETPLACES: [(&str, &str, Region); 22] = [
    ("ATVPDKIKX0DER", "US", Region::Na),
    ("A2EUQ1WTGCTBG2", "CA", Region::Na),
    ("A1AM78C64UM0Y8", "MX", Region::Na),
    ("A2Q3Y263D00KWC", "BR", Region::Na),
    ("A1F83G8C2ARO7P", "UK", Region::Eu),
    ("A1PA6795UKMFR9", "DE", Region::Eu),
    ("A13V1IB3VIYZZH", "FR", Region::Eu),
    ("APJ6JRA9NG5V4", "IT", Region::Eu),
    ("A1RKKUPIHCS9HS", "ES", Region::Eu),
    ("A1805IZSGTT6HS", "NL", Region::Eu),
    ("A2NODRKZP88ZB9", "SE", Region::Eu),
    ("A1C3SOZRARQ6R3", "PL", Region::Eu),
    ("AMEN7PMS2Z9H6", "BE", Region::Eu),
    ("A33AVAJ2PDY3EV", "TR", Region::Eu),
    ("ARBP9OOSHTCHU", "EG", Region::Eu),
    ("A17E79C6D8DWNP", "SA", Region::Eu),
    ("A2VIGQ35RCS4UG", "AE", Region::Eu),
    ("A21TJRUUN4KGV", "IN", Region::Eu),
    ("AE08WJ6YKNBMC", "ZA", Region::Eu),
    ("A1VC38T7YXB528", "JP", Region::Fe),
    ("A39IBJ37TRP1C6", "AU", Region::Fe),
    ("A19VAU5U5O7RUS", "SG", Region::Fe),
];

impl Region {
    /// The region serving a marketplace id (None for an id not in the table).
    pub fn for_marketplace(marketplace_id: &str) -> Option<Self> {
        MARKETPLACES
            .iter()
            .find(|(id, _, _)| *id == marketplace_id)
            .map(|(_, _, region)| *region)
    }

    /// The country code of a marketplace id.
    pub fn country_of(marketplace_id: &str) -> Option<&'static str> {
        MARKETPLACES
            .iter()
            .find(|(id, _, _)| *id == marketplace_id)
            .map(|(_, country, _)| *country)
    }

    /// `NA`, `EU` or `FE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Na => "NA",
            Self::Eu => "EU",
            Self::Fe => "FE",
        }
    }
}

/// One value per region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regional<T> {
    /// North America.
    pub na: T,
    /// Europe.
    pub eu: T,
    /// Far East.
    pub fe: T,
}

impl<T> Regional<T> {
    /// The value of `region`.
    pub fn get(&self, region: Region) -> &T {
        match region {
            Region::Na => &self.na,
            Region::Eu => &self.eu,
            Region::Fe => &self.fe,
        }
    }
}

impl Regional<String> {
    /// The same base URL for every region (the sandbox answers for all of them).
    pub fn same(base: &str) -> Self {
        let base = base.trim_end_matches('/').to_owned();
        Self {
            na: base.clone(),
            eu: base.clone(),
            fe: base,
        }
    }
}

/// The SP-API app and where its hosts are. `Debug` hides the client secret.
#[derive(Clone)]
pub struct AmazonConfig {
    /// LWA client id.
    pub lwa_client_id: String,
    /// LWA client secret (never logged).
    pub lwa_client_secret: String,
    /// The SP-API application id (`application_id` of the consent URL).
    pub application_id: String,
    /// LWA base URL; the token endpoint is `{lwa_base}/auth/o2/token`.
    pub lwa_base: String,
    /// Seller Central base URL per region (the consent page).
    pub consent_base: Regional<String>,
    /// SP-API base URL per region.
    pub api_base: Regional<String>,
    /// The app is still a draft: the consent URL carries `version=beta`.
    pub draft_app: bool,
    /// Redirect URI for the consent page and the code exchange (the registered one when
    /// None).
    pub redirect_uri: Option<String>,
    /// The usage plans the client starts with (re-tuned from `x-amzn-RateLimit-Limit`).
    pub quotas: Quotas,
    /// Retries on 429 and 5xx.
    pub backoff: Backoff,
    /// Largest report document accepted, compressed or not, in bytes.
    pub max_document_bytes: u64,
}

impl std::fmt::Debug for AmazonConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmazonConfig")
            .field("lwa_client_id", &self.lwa_client_id)
            .field("lwa_client_secret", &"[redacted]")
            .field("application_id", &self.application_id)
            .field("lwa_base", &self.lwa_base)
            .field("consent_base", &self.consent_base)
            .field("api_base", &self.api_base)
            .field("draft_app", &self.draft_app)
            .field("redirect_uri", &self.redirect_uri)
            .field("quotas", &self.quotas)
            .field("backoff", &self.backoff)
            .field("max_document_bytes", &self.max_document_bytes)
            .finish()
    }
}

impl AmazonConfig {
    /// Amazon's production hosts for an app.
    pub fn production(lwa_client_id: &str, lwa_client_secret: &str, application_id: &str) -> Self {
        Self {
            lwa_client_id: lwa_client_id.to_owned(),
            lwa_client_secret: lwa_client_secret.to_owned(),
            application_id: application_id.to_owned(),
            lwa_base: "https://api.amazon.com".to_owned(),
            consent_base: Regional {
                na: "https://sellercentral.amazon.com".to_owned(),
                eu: "https://sellercentral-europe.amazon.com".to_owned(),
                fe: "https://sellercentral.amazon.co.jp".to_owned(),
            },
            api_base: Regional {
                na: "https://sellingpartnerapi-na.amazon.com".to_owned(),
                eu: "https://sellingpartnerapi-eu.amazon.com".to_owned(),
                fe: "https://sellingpartnerapi-fe.amazon.com".to_owned(),
            },
            draft_app: false,
            redirect_uri: None,
            quotas: Quotas::default(),
            backoff: Backoff::default(),
            max_document_bytes: 256 * 1024 * 1024,
        }
    }

    /// Every host at `base_url` (a `sandbox::Sandbox`), with the sandbox's default app.
    pub fn sandbox(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/');
        Self {
            lwa_base: base.to_owned(),
            consent_base: Regional::same(base),
            api_base: Regional::same(base),
            ..Self::production(
                "amzn1.application-oa2-client.sandbox",
                "sandbox_lwa_secret",
                "amzn1.sp.solution.sandbox",
            )
        }
    }

    /// The Seller Central consent URL for `region` carrying `state`
    /// (`{consent_base}/apps/authorize/consent?application_id=…&state=…[&version=beta]`).
    pub fn consent_url(&self, region: Region, state: &str) -> String {
        let mut url = format!(
            "{}/apps/authorize/consent?application_id={}&state={}",
            self.consent_base.get(region),
            encode(&self.application_id),
            encode(state)
        );
        if let Some(redirect) = &self.redirect_uri {
            url.push_str(&format!("&redirect_uri={}", encode(redirect)));
        }
        if self.draft_app {
            url.push_str("&version=beta");
        }
        url
    }
}

fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An LWA answer. `Debug` hides the tokens.
#[derive(Clone, Deserialize)]
pub struct LwaTokens {
    /// The access token (`x-amz-access-token`).
    pub access_token: String,
    /// The refresh token (sent by the authorization-code grant).
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Seconds the access token lives (3600).
    pub expires_in: u64,
}

impl std::fmt::Debug for LwaTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LwaTokens")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

#[derive(Deserialize)]
struct LwaError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

/// Exchanges the consent callback's `spapi_oauth_code` for tokens.
///
/// # Errors
/// [`AmazonError::Reauthorize`] for a refused code (`invalid_grant`); `Upstream` otherwise.
pub async fn exchange_code(
    http: &reqwest::Client,
    config: &AmazonConfig,
    code: &str,
) -> Result<LwaTokens, AmazonError> {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", config.lwa_client_id.as_str()),
        ("client_secret", config.lwa_client_secret.as_str()),
    ];
    if let Some(redirect) = &config.redirect_uri {
        form.push(("redirect_uri", redirect.as_str()));
    }
    token_call(http, config, &form, &[code]).await
}

/// One call of the LWA token endpoint. The form holds the client secret and a code or
/// refresh token, so failures name no more than the path and LWA's own words (cleaned of
/// `secrets`).
async fn token_call(
    http: &reqwest::Client,
    config: &AmazonConfig,
    form: &[(&str, &str)],
    secrets: &[&str],
) -> Result<LwaTokens, AmazonError> {
    let network = |e| AmazonError::network(TOKEN_PATH, e);
    let response = http
        .post(format!("{}{TOKEN_PATH}", config.lwa_base))
        .form(form)
        .send()
        .await
        .map_err(network)?;
    let status = response.status();
    let text = response.text().await.map_err(network)?;
    let hide = |mut s: String| {
        for secret in secrets.iter().chain([&config.lwa_client_secret.as_str()]) {
            if !secret.is_empty() {
                s = s.replace(secret, "[redacted]");
            }
        }
        s
    };
    if status.is_success() {
        return serde_json::from_str(&text).map_err(|e| {
            AmazonError::upstream(
                TOKEN_PATH,
                Some(status.as_u16()),
                format!(
                    "not the documented token answer (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        });
    }
    let refusal: LwaError = serde_json::from_str(&text).unwrap_or(LwaError {
        error: String::new(),
        error_description: text.chars().take(200).collect(),
    });
    let message = hide(refusal.error_description);
    if refusal.error == "invalid_grant" {
        return Err(AmazonError::Reauthorize {
            endpoint: TOKEN_PATH.to_owned(),
            status: status.as_u16(),
            code: refusal.error,
            message,
        });
    }
    Err(AmazonError::upstream(
        TOKEN_PATH,
        Some(status.as_u16()),
        format!("{}: {message}", refusal.error),
    ))
}

/// A seller's refresh token and the access token cached from it.
pub(crate) struct TokenCache {
    refresh_token: String,
    cached: Mutex<Option<(String, Instant)>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache([redacted])")
    }
}

impl TokenCache {
    pub(crate) fn new(refresh_token: String) -> Self {
        Self {
            refresh_token,
            cached: Mutex::new(None),
        }
    }

    /// The cached access token, or a fresh one from the refresh-token grant when there is
    /// none or it expires within a minute.
    pub(crate) async fn access_token(
        &self,
        http: &reqwest::Client,
        config: &AmazonConfig,
    ) -> Result<String, AmazonError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", self.refresh_token.as_str()),
            ("client_id", config.lwa_client_id.as_str()),
            ("client_secret", config.lwa_client_secret.as_str()),
        ];
        let tokens = token_call(http, config, &form, &[&self.refresh_token]).await?;
        let lifetime = Duration::from_secs(tokens.expires_in).saturating_sub(REFRESH_MARGIN);
        *cached = Some((tokens.access_token.clone(), Instant::now() + lifetime));
        tracing::debug!(
            expires_in = tokens.expires_in,
            "refreshed the Amazon access token"
        );
        Ok(tokens.access_token)
    }

    /// Forgets `stale` (Amazon refused it), so the next call refreshes.
    pub(crate) async fn invalidate(&self, stale: &str) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|(token, _)| token == stale) {
            *cached = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marketplaces_map_to_their_regions() {
        assert_eq!(Region::for_marketplace("ATVPDKIKX0DER"), Some(Region::Na));
        assert_eq!(Region::for_marketplace("A1PA6795UKMFR9"), Some(Region::Eu));
        assert_eq!(Region::for_marketplace("A1VC38T7YXB528"), Some(Region::Fe));
        assert_eq!(Region::for_marketplace("A2Q3Y263D00KWC"), Some(Region::Na));
        assert_eq!(Region::for_marketplace("NOPE"), None);
        assert_eq!(Region::country_of("A1F83G8C2ARO7P"), Some("UK"));
    }

    #[test]
    fn the_consent_url_carries_state_and_beta_for_draft_apps() {
        let mut config = AmazonConfig::production("id", "secret", "amzn1.sp.solution.x");
        config.draft_app = true;
        let url = config.consent_url(Region::Eu, "a b&c");
        assert_eq!(
            url,
            "https://sellercentral-europe.amazon.com/apps/authorize/consent?\
             application_id=amzn1.sp.solution.x&state=a%20b%26c&version=beta"
        );
        config.draft_app = false;
        assert!(!config.consent_url(Region::Na, "s").contains("version"));
        assert!(!format!("{config:?}").contains("secret\""));
    }
}
