//! A ledger line's content hash: what tells a replay (same content under the same key) from a
//! correction. It covers the line's meaning, not its provenance.

use entities::ledger_entry;
use sha2::{Digest, Sha256};

use super::post::NewLine;
use super::FeeBucket;
use crate::error::Result;

/// Hex SHA-256 over every field that makes up a line's meaning (not its provenance: the same
/// line re-imported from a file instead of the API is the same line; nor `product_id`, which
/// follows from the listing and may be linked later).
pub(super) fn content_hash(line: &NewLine) -> Result<String> {
    Ok(Content {
        shop_id: line.shop_id,
        channel: line.channel.as_str(),
        order_id: line.order_id.as_deref(),
        order_line: line.order_line.as_deref(),
        listing_id: line.listing_id,
        creator_id: line.creator_id,
        bucket: line.bucket.as_str(),
        label: &line.label,
        mapped: line.mapped,
        amount_minor: line.amount.minor()?,
        currency: line.amount.currency().as_str(),
        quantity: line.quantity,
        occurred_at: line.occurred_at.timestamp(),
        status: line.status.as_str(),
        payout_id: line.payout_id,
    }
    .hash())
}

/// The content hash `row` would have if it were booked in `bucket` (`mapped` as given): what a
/// normaliser produces for the row's source once the mapping says so, so a later re-sync of the
/// source finds the re-booked row current and unchanged.
pub(super) fn content_hash_in(
    row: &ledger_entry::Model,
    bucket: FeeBucket,
    mapped: bool,
) -> String {
    Content {
        shop_id: row.shop_id,
        channel: &row.channel,
        order_id: row.order_id.as_deref(),
        order_line: row.order_line.as_deref(),
        listing_id: row.listing_id,
        creator_id: row.creator_id,
        bucket: bucket.as_str(),
        label: &row.label,
        mapped,
        amount_minor: row.amount_minor,
        currency: &row.currency,
        quantity: row.quantity,
        occurred_at: row.occurred_at.timestamp(),
        status: &row.status,
        payout_id: row.payout_id,
    }
    .hash()
}

/// The fields a content hash covers, borrowed from a new line or a stored row.
struct Content<'a> {
    shop_id: Option<i64>,
    channel: &'a str,
    order_id: Option<&'a str>,
    order_line: Option<&'a str>,
    listing_id: Option<i64>,
    creator_id: Option<i64>,
    bucket: &'a str,
    label: &'a str,
    mapped: bool,
    amount_minor: i64,
    currency: &'a str,
    quantity: i32,
    occurred_at: i64,
    status: &'a str,
    payout_id: Option<i64>,
}

impl Content<'_> {
    /// The canonical text's hash. The text must never change: stored rows carry its hash.
    fn hash(&self) -> String {
        let canonical = format!(
            "{:?}|{}|{:?}|{:?}|{:?}|{:?}|{}|{}|{}|{}|{}|{}|{}|{}|{:?}",
            self.shop_id,
            self.channel,
            self.order_id,
            self.order_line,
            self.listing_id,
            self.creator_id,
            self.bucket,
            self.label,
            self.mapped,
            self.amount_minor,
            self.currency,
            self.quantity,
            self.occurred_at,
            self.status,
            self.payout_id,
        );
        hex::encode(Sha256::digest(canonical.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::ledger::{Channel, EntryStatus};
    use crate::money::{Currency, Money};

    fn line() -> NewLine {
        let usd: Currency = "USD".parse().unwrap();
        NewLine {
            entry_key: "k".to_owned(),
            shop_id: Some(3),
            channel: Channel::TikTokShop,
            order_id: Some("o-1".to_owned()),
            order_line: None,
            listing_id: Some(7),
            product_id: None,
            channel_product_id: None,
            creator_id: None,
            bucket: FeeBucket::Other,
            label: "brand_new_fee_amount".to_owned(),
            mapped: false,
            amount: Money::from_minor(-123, usd),
            quantity: 0,
            occurred_at: chrono::Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            status: EntryStatus::Settled,
            payout_id: Some(9),
            source_kind: "tiktok.test".to_owned(),
            source_id: "s".to_owned(),
        }
    }

    #[test]
    fn the_hash_of_a_line_never_changes() {
        // Stored rows carry this hash: a change to the canonical text would make every re-sync
        // look like a correction.
        assert_eq!(
            content_hash(&line()).unwrap(),
            hex::encode(Sha256::digest(
                "Some(3)|TIKTOK_SHOP|Some(\"o-1\")|None|Some(7)|None|OTHER|brand_new_fee_amount|false|-123|USD|0|1767323045|SETTLED|Some(9)"
            ))
        );
    }

    #[test]
    fn a_row_rebooked_hashes_as_the_line_booked_there() {
        let mut line = line();
        let row = ledger_entry::Model {
            id: 1,
            org_id: 1,
            shop_id: line.shop_id,
            channel: line.channel.as_str().to_owned(),
            entry_key: line.entry_key.clone(),
            seq: 1,
            reversal_of: None,
            content_hash: content_hash(&line).unwrap(),
            order_id: line.order_id.clone(),
            order_line: None,
            listing_id: line.listing_id,
            product_id: None,
            creator_id: None,
            bucket: line.bucket.as_str().to_owned(),
            label: line.label.clone(),
            mapped: false,
            amount_minor: -123,
            currency: "USD".to_owned(),
            quantity: 0,
            occurred_at: line.occurred_at,
            status: line.status.as_str().to_owned(),
            payout_id: line.payout_id,
            source_kind: line.source_kind.clone(),
            source_id: line.source_id.clone(),
            raw_record_id: None,
            created_at: line.occurred_at,
            day: None,
            channel_product_id: None,
        };
        assert_eq!(
            content_hash_in(&row, FeeBucket::Other, false),
            row.content_hash
        );
        line.bucket = FeeBucket::ProgramFees;
        line.mapped = true;
        assert_eq!(
            content_hash_in(&row, FeeBucket::ProgramFees, true),
            content_hash(&line).unwrap()
        );
    }
}
