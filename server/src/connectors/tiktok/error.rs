//! What talking to TikTok (Shop and for Business) can fail with: the shared [`UpstreamError`],
//! whose text names the channel and the endpoint and never a URL, token or secret.

pub use crate::connectors::upstream::UpstreamError;

/// A failed TikTok call. Every variant TikTok answered carries its `request_id`.
pub type TikTokError = UpstreamError;
