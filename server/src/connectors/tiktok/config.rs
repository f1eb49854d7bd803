//! TikTok's settings: the Shop Partner app (`[tiktok]`, `PNL_TIKTOK__*`) and the TikTok for
//! Business app (`[tiktok_ads]`, `PNL_TIKTOK_ADS__*`), and the client configurations built from
//! them.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ads::AdsConfig;
use super::client::{RetryPolicy, TikTokConfig};
use crate::config::Secret;
use crate::state::AppState;

/// A TikTok Shop Partner app (`[tiktok]`, `PNL_TIKTOK__APP_KEY`, …).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TikTokAppConfig {
    /// App key.
    pub app_key: String,
    /// App secret (signs API calls and webhooks).
    pub app_secret: Secret,
    /// Shop API base URL.
    pub api_base: String,
    /// Token host base URL.
    pub auth_base: String,
    /// Where sellers authorise the app (⚠ region-dependent; the reference lists this one).
    pub authorize_url: String,
}

/// A TikTok for Business app (`[tiktok_ads]`).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TikTokAdsAppConfig {
    /// App id.
    pub app_id: String,
    /// App secret.
    pub secret: Secret,
    /// Marketing API base URL.
    pub api_base: String,
    /// Where advertisers authorise the app.
    pub authorize_url: String,
}

impl Default for TikTokAppConfig {
    fn default() -> Self {
        Self {
            app_key: String::new(),
            app_secret: Secret::new(""),
            api_base: "https://open-api.tiktokglobalshop.com".to_owned(),
            auth_base: "https://auth.tiktok-shops.com".to_owned(),
            authorize_url: "https://auth.tiktok-shops.com/oauth/authorize".to_owned(),
        }
    }
}

impl Default for TikTokAdsAppConfig {
    fn default() -> Self {
        Self {
            app_id: String::new(),
            secret: Secret::new(""),
            api_base: "https://business-api.tiktok.com".to_owned(),
            authorize_url: "https://business-api.tiktok.com/portal/auth".to_owned(),
        }
    }
}

impl std::fmt::Debug for TikTokAppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TikTokAppConfig")
            .field("app_key", &self.app_key)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TikTokAdsAppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TikTokAdsAppConfig")
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

/// The TikTok Shop client configuration of this server.
pub fn tiktok_config(state: &AppState) -> Arc<TikTokConfig> {
    let app = &state.config.channels.tiktok;
    Arc::new(TikTokConfig {
        app_key: app.app_key.clone(),
        app_secret: app.app_secret.expose().to_owned(),
        api_base: app.api_base.trim_end_matches('/').to_owned(),
        auth_base: app.auth_base.trim_end_matches('/').to_owned(),
        retry: RetryPolicy::default(),
    })
}

/// The Marketing API client configuration of this server.
pub fn ads_config(state: &AppState) -> Arc<AdsConfig> {
    let app = &state.config.channels.tiktok_ads;
    Arc::new(AdsConfig {
        app_id: app.app_id.clone(),
        secret: app.secret.expose().to_owned(),
        base: app.api_base.trim_end_matches('/').to_owned(),
        retry: RetryPolicy::default(),
    })
}
