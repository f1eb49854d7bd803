//! Each connector's settings, as top-level tables of the configuration (`[tiktok]`,
//! `[tiktok_ads]`, …; environment `PNL_<TABLE>__<KEY>`). [`crate::config::Config`] flattens
//! this struct in, so a channel's keys stay where the README documents them while the types
//! live in the channel's folder. A new channel adds one field here.
//!
//! Flattened tables are read without figment's lossy conversion: keep channel settings strings
//! (or give a number field a deserializer that also takes a string), since every environment
//! value is a string.

use serde::{Deserialize, Serialize};

use super::amazon::config::AmazonAppConfig;
use super::shopify::config::ShopifyAppConfig;
use super::tiktok::config::{TikTokAdsAppConfig, TikTokAppConfig};

/// Every connector's settings.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelsConfig {
    /// The TikTok Shop app (`[tiktok]`).
    pub tiktok: TikTokAppConfig,
    /// The TikTok for Business (Marketing API) app (`[tiktok_ads]`).
    pub tiktok_ads: TikTokAdsAppConfig,
    /// The Amazon SP-API app (`[amazon]`).
    pub amazon: AmazonAppConfig,
    /// The Shopify app (`[shopify]`).
    pub shopify: ShopifyAppConfig,
}
