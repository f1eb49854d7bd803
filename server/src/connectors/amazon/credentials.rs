//! What an Amazon shop keeps sealed: the seller's LWA refresh token and who granted it. Access
//! tokens live an hour and are cached in memory by the client, never stored.

use serde::{Deserialize, Serialize};

/// The sealed credentials of one Amazon shop (a seller in one region). `Debug` hides the token.
#[derive(Clone, Serialize, Deserialize)]
pub struct AmazonCredentials {
    /// The LWA refresh token of the seller's grant.
    pub refresh_token: String,
    /// The selling partner id the grant belongs to.
    pub selling_partner_id: String,
}

impl std::fmt::Debug for AmazonCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmazonCredentials")
            .field("refresh_token", &"[redacted]")
            .field("selling_partner_id", &self.selling_partner_id)
            .finish()
    }
}
