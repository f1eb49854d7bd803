//! Configuration of a sandbox world and its credentials.

use std::fmt;
use std::time::Duration;

use chrono::NaiveDate;

use crate::amazon::AmazonSandboxConfig;
use crate::shopify::ShopifySandboxConfig;

/// Everything that shapes a sandbox: the seed and size of the generated world, the shops,
/// and the app credentials the simulated TikTok hosts accept.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Seed of the generator; the same seed gives byte-identical data. Default 42.
    pub seed: u64,
    /// Number of daily statements, ending yesterday relative to `today`. Default 90.
    pub days: u32,
    /// The simulated current date (UTC); the last statement is for `today - 1`.
    /// Default: the real current UTC date.
    pub today: NaiveDate,
    /// Mean number of orders per shop per day. Default 20.
    pub orders_per_day: u32,
    /// The shops of the seller (at most 10). Default: US/USD and GB/GBP.
    pub shops: Vec<ShopSpec>,
    /// TikTok Shop app key. Default `"sandbox_app_key"`.
    pub app_key: String,
    /// TikTok Shop app secret (also the signing key). Default `"sandbox_app_secret"`.
    pub app_secret: String,
    /// Marketing API app id. Default `"sandbox_ads_app"`.
    pub ads_app_id: String,
    /// Marketing API app secret. Default `"sandbox_ads_secret"`.
    pub ads_secret: String,
    /// Lifetime of shop access tokens. Default 7 days.
    pub access_token_ttl: Duration,
    /// The simulated Amazon sellers and SP-API app. Default: a US and a DE seller.
    pub amazon: AmazonSandboxConfig,
    /// The simulated Shopify stores and app. Default: no stores.
    pub shopify: ShopifySandboxConfig,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            days: 90,
            today: chrono::Utc::now().date_naive(),
            orders_per_day: 20,
            shops: vec![ShopSpec::us(), ShopSpec::uk()],
            app_key: "sandbox_app_key".to_owned(),
            app_secret: "sandbox_app_secret".to_owned(),
            ads_app_id: "sandbox_ads_app".to_owned(),
            ads_secret: "sandbox_ads_secret".to_owned(),
            access_token_ttl: Duration::from_secs(7 * 24 * 3600),
            amazon: AmazonSandboxConfig::default(),
            shopify: ShopifySandboxConfig::default(),
        }
    }
}

/// One shop of the seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopSpec {
    /// Region code as TikTok reports it (`US`, `GB`, `ID`, ...).
    pub region: String,
    /// ISO 4217 currency of the shop's statements.
    pub currency: String,
    /// Display name of the shop.
    pub name: String,
}

impl ShopSpec {
    /// A US shop in USD.
    pub fn us() -> Self {
        Self::new("US", "USD", "Sandbox US Shop")
    }

    /// A UK shop in GBP (TikTok's region code is `GB`).
    pub fn uk() -> Self {
        Self::new("GB", "GBP", "Sandbox UK Shop")
    }

    /// A South-East Asian shop: Indonesia in IDR.
    pub fn sea() -> Self {
        Self::new("ID", "IDR", "Sandbox ID Shop")
    }

    fn new(region: &str, currency: &str, name: &str) -> Self {
        Self {
            region: region.to_owned(),
            currency: currency.to_owned(),
            name: name.to_owned(),
        }
    }
}

/// A [`SandboxConfig`] the generator cannot honour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid sandbox config: {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

impl SandboxConfig {
    /// Checks the limits the id encoding imposes.
    ///
    /// # Errors
    /// Returns [`ConfigError`] for no shops or more than 10, no days, more than a million
    /// orders per day, or a `today` before 1971 or after 2200.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |message: &str| {
            Err(ConfigError {
                message: message.to_owned(),
            })
        };
        if self.shops.is_empty() || self.shops.len() > 10 {
            return fail("between 1 and 10 shops are supported");
        }
        if self.days == 0 || self.days > 3650 {
            return fail("days must be between 1 and 3650");
        }
        if self.orders_per_day > 1_000_000 {
            return fail("at most 1000000 orders per day are supported");
        }
        if self.shopify.stores.len() > 10
            || self
                .shopify
                .stores
                .iter()
                .any(|s| !s.domain.ends_with(".myshopify.com"))
        {
            return fail("at most 10 Shopify stores, each NAME.myshopify.com, are supported");
        }
        if self.amazon.sellers.len() > 10 || self.amazon.history_days > 730 {
            return fail("at most 10 Amazon sellers and 730 days of Amazon history are supported");
        }
        let year = chrono::Datelike::year(&self.today);
        if !(1981..=2200).contains(&year) {
            return fail("today must be between 1981 and 2200");
        }
        Ok(())
    }
}
