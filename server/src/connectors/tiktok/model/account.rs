//! Marketing API reports, token responses and authorised shops.

use serde::Deserialize;

use super::{id, opt_ts, Fields};

/// Marketing API report → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct AdsReport {
    /// Rows of `{dimensions, metrics}`.
    #[serde(default)]
    pub list: Vec<AdsRow>,
    /// Paging.
    #[serde(default)]
    pub page_info: Option<PageInfo>,
}

/// One report row.
#[derive(Clone, Debug, Deserialize)]
pub struct AdsRow {
    /// Dimension values.
    #[serde(default)]
    pub dimensions: Fields,
    /// Metric values (strings; `"-"` means none).
    #[serde(default)]
    pub metrics: Fields,
}

/// Marketing API paging.
#[derive(Clone, Debug, Deserialize)]
pub struct PageInfo {
    /// Current page (1-based).
    #[serde(default)]
    pub page: i64,
    /// Pages in all.
    #[serde(default)]
    pub total_page: i64,
}

/// Token endpoints → `data`. `Debug` shows no token.
#[derive(Clone, Deserialize)]
pub struct TokenData {
    /// Access token.
    pub access_token: String,
    /// Absolute Unix expiry of the access token.
    #[serde(deserialize_with = "opt_ts", default)]
    pub access_token_expire_in: Option<i64>,
    /// Refresh token.
    pub refresh_token: String,
    /// Absolute Unix expiry of the refresh token.
    #[serde(deserialize_with = "opt_ts", default)]
    pub refresh_token_expire_in: Option<i64>,
    /// Seller name.
    #[serde(default)]
    pub seller_name: Option<String>,
    /// Seller region.
    #[serde(default)]
    pub seller_base_region: Option<String>,
}

impl std::fmt::Debug for TokenData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenData")
            .field("access_token_expire_in", &self.access_token_expire_in)
            .field("refresh_token_expire_in", &self.refresh_token_expire_in)
            .field("seller_name", &self.seller_name)
            .field("seller_base_region", &self.seller_base_region)
            .finish_non_exhaustive()
    }
}

/// `GET /authorization/202309/shops` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct ShopList {
    /// Authorised shops.
    #[serde(default)]
    pub shops: Vec<AuthorizedShop>,
}

/// An authorised shop.
#[derive(Clone, Debug, Deserialize)]
pub struct AuthorizedShop {
    /// Shop id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Region code.
    #[serde(default)]
    pub region: Option<String>,
    /// The `shop_cipher` for shop-scoped calls.
    pub cipher: String,
}
