//! Configuration of the simulated Shopify stores and the Shopify app.

/// The simulated Shopify side: stores, the app's credentials and the GraphQL cost bucket.
#[derive(Debug, Clone)]
pub struct ShopifySandboxConfig {
    /// The stores (at most 10). Default: none.
    pub stores: Vec<ShopifyStoreSpec>,
    /// Days of history, ending today (the last days' money is not paid out yet). Default 30.
    pub history_days: u32,
    /// The app's client id (API key). Default `"sandbox_shopify_key"`.
    pub api_key: String,
    /// The app's client secret: signs install callbacks and webhooks. Default
    /// `"sandbox_shopify_secret"`.
    pub api_secret: String,
    /// Points of the per-store leaky bucket. Default 2000 (Shopify's `maximumAvailable`).
    pub maximum_available: u32,
    /// Points restored per second. Default 100 (the Standard plan).
    pub restore_rate: u32,
    /// The most a single query may cost. Default 1000.
    pub max_query_cost: u32,
    /// Polls of a bulk operation before it completes (CREATED, RUNNING…, COMPLETED). Default 2.
    pub bulk_polls: u32,
}

impl Default for ShopifySandboxConfig {
    fn default() -> Self {
        Self {
            stores: Vec::new(),
            history_days: 30,
            api_key: "sandbox_shopify_key".to_owned(),
            api_secret: "sandbox_shopify_secret".to_owned(),
            maximum_available: 2000,
            restore_rate: 100,
            max_query_cost: 1000,
            bulk_polls: 2,
        }
    }
}

/// One Shopify store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopifyStoreSpec {
    /// `NAME.myshopify.com`.
    pub domain: String,
    /// The shop currency (ISO 4217).
    pub currency: String,
    /// Mean orders per day.
    pub orders_per_day: u32,
    /// Prices include tax (`taxesIncluded`), as in most of Europe.
    pub taxes_included: bool,
    /// Share of orders (per mille) that are copies of TikTok Shop orders pushed in by the
    /// TikTok app. Default 100.
    pub mirrored_per_mille: u32,
}

impl ShopifyStoreSpec {
    /// A US store in USD, taxes on top, about a tenth of its orders mirrored from TikTok.
    pub fn us(name: &str) -> Self {
        Self {
            domain: format!("{name}.myshopify.com"),
            currency: "USD".to_owned(),
            orders_per_day: 8,
            taxes_included: false,
            mirrored_per_mille: 100,
        }
    }

    /// A European store in EUR with taxes included.
    pub fn eu(name: &str) -> Self {
        Self {
            domain: format!("{name}.myshopify.com"),
            currency: "EUR".to_owned(),
            orders_per_day: 5,
            taxes_included: true,
            mirrored_per_mille: 0,
        }
    }
}
