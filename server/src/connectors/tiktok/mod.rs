//! TikTok Shop and TikTok Ads: request signing, the HTTP client, vendor payload models, the
//! pure normalisers from those payloads to ledger lines, the sync pulls, the OAuth flows, the
//! webhook receiver, the saved-file formats, the label table and the settings — and
//! [`connector::TikTok`], which shows them to shared code through the seam.

pub mod ads;
pub mod client;
pub mod config;
pub mod connect;
pub mod connector;
pub mod credentials;
pub mod error;
pub mod graphql;
pub mod import;
pub mod labels;
pub mod model;
pub mod normalize;
pub mod sign;
pub mod sync;
pub mod webhooks;

pub use connector::{TikTok, TikTokStream, ADS_STREAM, SHOP_STREAM};

use crate::connectors::ingest::Batch;
use crate::connectors::Normalized;
use crate::ledger::Channel;

/// The channel every TikTok line belongs to.
pub const CHANNEL: Channel = Channel::TikTokShop;

/// A TikTok batch whose raw record is `payload`, stored under the same kind and id.
pub fn batch(
    shop_id: i64,
    kind: &str,
    source_id: &str,
    payload: String,
    normalized: Normalized,
) -> Batch {
    Batch::with_raw(CHANNEL, shop_id, kind, source_id, payload, normalized)
}
