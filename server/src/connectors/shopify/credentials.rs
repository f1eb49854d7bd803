//! What a Shopify shop keeps sealed: the offline Admin API access token of the app's install
//! and the scopes it was granted. `Debug` hides the token.

use serde::{Deserialize, Serialize};

/// The sealed credentials of one Shopify shop.
#[derive(Clone, Serialize, Deserialize)]
pub struct ShopifyCredentials {
    /// The offline access token (`shpat_…`): it does not expire; uninstalling revokes it.
    pub access_token: String,
    /// The scopes granted, comma-separated as Shopify answers them.
    pub scope: String,
}

impl std::fmt::Debug for ShopifyCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyCredentials")
            .field("access_token", &"[redacted]")
            .field("scope", &self.scope)
            .finish()
    }
}
