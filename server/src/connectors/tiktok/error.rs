//! What talking to TikTok can fail with.

/// A failed TikTok call. Every variant that TikTok answered carries its `request_id`.
#[derive(Debug, thiserror::Error)]
pub enum TikTokError {
    /// The grant is revoked, expired or lacks the API package: retrying cannot help; the shop
    /// needs the seller to authorise the app again.
    #[error("TikTok needs the shop to be re-authorised (code {code}: {message}; request_id {request_id})")]
    Reauthorize {
        /// TikTok's code.
        code: i64,
        /// TikTok's message.
        message: String,
        /// TikTok's request id.
        request_id: String,
    },
    /// TikTok refused the request.
    #[error("TikTok answered code {code}: {message} (request_id {request_id})")]
    Api {
        /// TikTok's code.
        code: i64,
        /// TikTok's message.
        message: String,
        /// TikTok's request id.
        request_id: String,
    },
    /// Throttled or failing after every retry.
    #[error("TikTok kept failing after {attempts} attempts: {last}")]
    Exhausted {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The network failed.
    #[error("cannot reach TikTok: {0}")]
    Http(#[from] reqwest::Error),
    /// TikTok's answer was not what the API documents.
    #[error("unexpected TikTok response from {path}: {reason}")]
    Decode {
        /// The API path.
        path: String,
        /// What did not fit.
        reason: String,
    },
}
