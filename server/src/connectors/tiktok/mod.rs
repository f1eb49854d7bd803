//! TikTok Shop and TikTok Ads: request signing, the HTTP client, vendor payload models and the
//! pure normalisers from those payloads to ledger lines.

pub mod ads;
pub mod client;
pub mod error;
pub mod model;
pub mod normalize;
pub mod sign;
pub mod sync;
