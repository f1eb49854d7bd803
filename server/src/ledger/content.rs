//! A ledger line's two hashes: its content hash, what tells a replay (same content under the same
//! key) from a correction — it covers the line's meaning, not its provenance — and its key hash,
//! what the ledger's unique key indexes instead of the long readable entry key. Both are 16 bytes
//! taken from SHA-256s (migration `m20261207_000001_hash_ledger_keys`).

use entities::ledger_entry;
use sha2::{Digest, Sha256};

use super::post::NewLine;
use super::{Channel, EntryStatus, FeeBucket};
use crate::error::Result;

/// Bytes kept of a content's SHA-256: 2^-128 odds that two contents of one key meet.
const BYTES: usize = 16;

/// The key hash of entry key `key`: 8 bytes of the SHA-256 of its scope — its first three
/// `:`-separated parts, which name its source (`tiktok:st:{statement}:`,
/// `amazon:{date}:{currency}:`, `tiktokads:{advertiser}:campaign:`) — then 8 of the whole key's.
/// One posting's keys thus sit together in the unique key `(org_id, key_hash, seq)`, as the
/// readable keys did: a statement's ten thousand lines touch a few of its pages, where a plain
/// hash scattered them over every page (ingest fell from ~28,000 to ~18,000 lines/s on SQLite).
/// Lookups by key also compare the readable key, so even a collision could not confuse two keys
/// (within one scope, 2^-64 odds per pair).
#[must_use]
pub fn key_hash(key: &str) -> Vec<u8> {
    let scope = key
        .match_indices(':')
        .nth(2)
        .map_or(key, |(at, _)| &key[..=at]);
    let mut hash = Sha256::digest(scope.as_bytes())[..8].to_vec();
    hash.extend_from_slice(&Sha256::digest(key.as_bytes())[..8]);
    hash
}

/// The SHA-256 over every field that makes up a line's meaning (not its provenance: the same
/// line re-imported from a file instead of the API is the same line; nor `product_id`, which
/// follows from the listing and may be linked later).
pub(super) fn content_hash(line: &NewLine) -> Result<Vec<u8>> {
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

/// The content hash `row` (whose label is `label`) would have if it were booked in `bucket`
/// (`mapped` as given): what a normaliser produces for the row's source once the mapping says
/// so, so a later re-sync of the source finds the re-booked row current and unchanged.
pub(super) fn content_hash_in(
    row: &ledger_entry::Model,
    label: &str,
    bucket: FeeBucket,
    mapped: bool,
) -> Result<Vec<u8>> {
    Ok(Content {
        shop_id: row.shop_id,
        channel: Channel::from_code(row.channel)?.as_str(),
        order_id: row.order_id.as_deref(),
        order_line: row.order_line.as_deref(),
        listing_id: row.listing_id,
        creator_id: row.creator_id,
        bucket: bucket.as_str(),
        label,
        mapped,
        amount_minor: row.amount_minor,
        currency: &row.currency,
        quantity: row.quantity,
        occurred_at: row.occurred_at.timestamp(),
        status: EntryStatus::from_code(row.status)?.as_str(),
        payout_id: row.payout_id,
    }
    .hash())
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
    fn hash(&self) -> Vec<u8> {
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
        Sha256::digest(canonical.as_bytes())[..BYTES].to_vec()
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
            Sha256::digest(
                "Some(3)|TIKTOK_SHOP|Some(\"o-1\")|None|Some(7)|None|OTHER|brand_new_fee_amount|false|-123|USD|0|1767323045|SETTLED|Some(9)"
            )[..16]
        );
    }

    #[test]
    fn a_key_hash_is_its_scopes_hash_then_its_own() {
        // Stored rows and the unique key carry it: it must never change either.
        let key = "tiktok:st:1:tx:2:fee";
        let hash = key_hash(key);
        assert_eq!(hash[..8], Sha256::digest("tiktok:st:1:")[..8]);
        assert_eq!(hash[8..], Sha256::digest(key)[..8]);
        assert_eq!(hex::encode(&hash), "7b6b51a6ea85267ee4531f7b87e48f81");
        // Keys of one statement share the first half; a short key is its own scope.
        assert_eq!(key_hash("tiktok:st:1:ord:9:sku:3")[..8], hash[..8]);
        assert_eq!(key_hash("k")[..8], Sha256::digest("k")[..8]);
    }

    #[test]
    fn a_row_rebooked_hashes_as_the_line_booked_there() {
        let mut line = line();
        let row = ledger_entry::Model {
            id: 1,
            org_id: 1,
            shop_id: line.shop_id,
            channel: line.channel.code(),
            packed_key: line.entry_key.clone(),
            key_hash: key_hash(&line.entry_key),
            seq: 1,
            reversal_of: None,
            content_hash: content_hash(&line).unwrap(),
            order_id: line.order_id.clone(),
            order_line: None,
            listing_id: line.listing_id,
            product_id: None,
            creator_id: None,
            bucket: line.bucket.code(),
            label_id: 7,
            mapped: false,
            amount_minor: -123,
            currency: "USD".to_owned(),
            quantity: 0,
            occurred_at: line.occurred_at,
            status: line.status.code(),
            payout_id: line.payout_id,
            source_kind_id: 1,
            source_id: line.source_id.clone(),
            raw_record_id: None,
            created_at: line.occurred_at,
            day: None,
            channel_product_id: None,
        };
        assert_eq!(
            content_hash_in(&row, &line.label, FeeBucket::Other, false).unwrap(),
            row.content_hash
        );
        line.bucket = FeeBucket::ProgramFees;
        line.mapped = true;
        assert_eq!(
            content_hash_in(&row, &line.label, FeeBucket::ProgramFees, true).unwrap(),
            content_hash(&line).unwrap()
        );
    }
}
