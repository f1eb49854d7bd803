//! Amazon's settings (`[amazon]`, `PNL_AMAZON__*`): the SP-API app (LWA client id and secret,
//! application id) and where Amazon's hosts are, and the client configuration built from them.
//! Empty host settings mean Amazon's own hosts per region; one URL (the sandbox) serves every
//! region.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize};

use super::auth::{AmazonConfig, Region, Regional};
use crate::config::Secret;
use crate::state::AppState;

/// The SP-API app (`[amazon]`, `PNL_AMAZON__LWA_CLIENT_ID`, …).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AmazonAppConfig {
    /// Login with Amazon client id of the app.
    pub lwa_client_id: String,
    /// Login with Amazon client secret.
    pub lwa_client_secret: Secret,
    /// The SP-API application id (`amzn1.sp.solution.…`), named by the consent URL.
    pub application_id: String,
    /// LWA host (token endpoint `{lwa_url}/auth/o2/token`).
    pub lwa_url: String,
    /// Seller Central for the consent page; empty: Amazon's Seller Central of the region.
    pub seller_central_url: String,
    /// SP-API host; empty: Amazon's host of each region (`sellingpartnerapi-na|eu|fe`).
    pub api_url: String,
    /// The region whose Seller Central asks for consent (`NA`, `EU` or `FE`).
    pub consent_region: String,
    /// The app is not yet published: the consent URL carries `version=beta`.
    #[serde(deserialize_with = "flag")]
    pub draft_app: bool,
}

impl Default for AmazonAppConfig {
    fn default() -> Self {
        Self {
            lwa_client_id: String::new(),
            lwa_client_secret: Secret::new(""),
            application_id: String::new(),
            lwa_url: "https://api.amazon.com".to_owned(),
            seller_central_url: String::new(),
            api_url: String::new(),
            consent_region: "NA".to_owned(),
            draft_app: false,
        }
    }
}

impl std::fmt::Debug for AmazonAppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmazonAppConfig")
            .field("lwa_client_id", &self.lwa_client_id)
            .field("application_id", &self.application_id)
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

/// A boolean from TOML or from an environment string (`true`, `1`, `yes`, any case).
fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    match Flag::deserialize(deserializer)? {
        Flag::Bool(value) => Ok(value),
        Flag::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" | "" => Ok(false),
            other => Err(serde::de::Error::custom(format!(
                "amazon.draft_app: {other:?} is not true or false"
            ))),
        },
    }
}

impl AmazonAppConfig {
    /// The region of the consent page.
    pub fn consent_region(&self) -> Region {
        match self.consent_region.trim().to_ascii_uppercase().as_str() {
            "EU" => Region::Eu,
            "FE" => Region::Fe,
            _ => Region::Na,
        }
    }

    /// The client configuration, with `redirect_uri` as the consent's and code exchange's.
    pub fn client_config(&self, redirect_uri: Option<String>) -> AmazonConfig {
        let mut config = AmazonConfig::production(
            &self.lwa_client_id,
            self.lwa_client_secret.expose(),
            &self.application_id,
        );
        config.lwa_base = self.lwa_url.trim_end_matches('/').to_owned();
        if !self.seller_central_url.trim().is_empty() {
            config.consent_base = Regional::same(&self.seller_central_url);
        }
        if !self.api_url.trim().is_empty() {
            config.api_base = Regional::same(&self.api_url);
        }
        config.draft_app = self.draft_app;
        config.redirect_uri = redirect_uri;
        config
    }
}

/// The redirect URI of the consent round trip on this server.
pub fn redirect_uri(state: &AppState) -> String {
    format!("{}/connect/amazon/callback", state.config.public_url())
}

/// The Amazon client configuration of this server.
pub fn amazon_config(state: &AppState) -> Arc<AmazonConfig> {
    Arc::new(
        state
            .config
            .channels
            .amazon
            .client_config(Some(redirect_uri(state))),
    )
}
