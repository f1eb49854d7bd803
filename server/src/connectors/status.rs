//! Whether a connected account's grant still works: the status of a shop and of an ad account,
//! stored as text in their `status` columns (the same spellings the API shows).

use crate::ledger::text_enum;

text_enum! {
    /// The grant status of a connected shop or ad account.
    ShopStatus {
        /// Connected; its syncs run.
        Active = "ACTIVE",
        /// The channel refused the grant (revoked or expired): the seller must connect again;
        /// its syncs are paused until then.
        NeedsReauth = "NEEDS_REAUTH",
        /// The seller removed the app on the channel's side; its syncs are paused until the
        /// seller connects again.
        Deauthorized = "DEAUTHORIZED",
    }
}

#[cfg(test)]
mod tests {
    use super::ShopStatus;

    #[test]
    fn every_status_round_trips_through_its_stored_text() {
        for status in ShopStatus::ALL {
            assert_eq!(status.as_str().parse::<ShopStatus>().unwrap(), *status);
        }
        assert_eq!(ShopStatus::NeedsReauth.as_str(), "NEEDS_REAUTH");
        assert_eq!(
            "PAUSED".parse::<ShopStatus>().unwrap_err().to_string(),
            "unknown ShopStatus \"PAUSED\""
        );
    }
}
