//! Shopify's settings (`[shopify]`, `PNL_SHOPIFY__*`): the app (client id and secret, from the
//! Partner Dashboard or the Dev Dashboard), the Admin API version, the scopes asked for, and
//! where a shop's hosts are.

use serde::{Deserialize, Serialize};

use crate::config::Secret;

/// The Admin API version used when none is configured: a stable quarterly version
/// (`YYYY-MM`); Shopify supports each for at least twelve months.
pub const DEFAULT_API_VERSION: &str = "2026-10";

/// The scopes the connector reads with: orders (with their refunds and transactions),
/// products (variant SKUs), and Shopify Payments payouts and balance transactions.
pub const DEFAULT_SCOPES: &str = "read_orders,read_products,read_shopify_payments_payouts";

/// The Shopify app (`[shopify]`, `PNL_SHOPIFY__API_KEY`, …).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ShopifyAppConfig {
    /// The app's client id (API key).
    pub api_key: String,
    /// The app's client secret: signs install callbacks (`hmac`) and webhooks.
    pub api_secret: Secret,
    /// Admin API version, `YYYY-MM`.
    pub api_version: String,
    /// Comma-separated OAuth scopes.
    pub scopes: String,
    /// Where a shop is served, `{shop}` standing for its `NAME.myshopify.com` domain:
    /// `https://{shop}` for Shopify; the sandbox serves every shop under one host.
    pub shop_url: String,
}

impl Default for ShopifyAppConfig {
    fn default() -> Self {
        Self {
            api_key: String::new(),
            api_secret: Secret::new(""),
            api_version: DEFAULT_API_VERSION.to_owned(),
            scopes: DEFAULT_SCOPES.to_owned(),
            shop_url: "https://{shop}".to_owned(),
        }
    }
}

impl std::fmt::Debug for ShopifyAppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyAppConfig")
            .field("api_key", &self.api_key)
            .field("api_version", &self.api_version)
            .field("scopes", &self.scopes)
            .field("shop_url", &self.shop_url)
            .finish_non_exhaustive()
    }
}

impl ShopifyAppConfig {
    /// The base URL of `shop` (a validated `NAME.myshopify.com` domain), without a trailing
    /// slash: `{base}/admin/oauth/authorize`, `{base}/admin/api/{version}/graphql.json`.
    pub fn shop_base(&self, shop: &str) -> String {
        self.shop_url
            .replace("{shop}", shop)
            .trim_end_matches('/')
            .to_owned()
    }

    /// The Admin GraphQL endpoint of `shop`.
    pub fn graphql_url(&self, shop: &str) -> String {
        format!(
            "{}/admin/api/{}/graphql.json",
            self.shop_base(shop),
            self.api_version.trim()
        )
    }
}
