//! The one error every channel client fails with, and the one place an HTTP client error becomes
//! words.
//!
//! Its text reaches GraphQL errors, the OAuth callback's answer, `lastError` (readable with
//! `pnl:read`) and the logs, so it holds only the channel, the endpoint's path, the HTTP status
//! and the channel's code, message and request id. Never a URL: channels take app secrets,
//! refresh tokens and authorisation codes in query strings, and `reqwest::Error` prints the whole
//! request URL in both its `Display` and its `Debug`, so one is never kept or formatted here
//! (its cause is, after [`reqwest::Error::without_url`]). What a channel says is passed through
//! [`without_queries`], because an error page may echo the URL it was asked for.

/// A failed call to a channel's API. Every variant names the channel and the endpoint (its path,
/// never its query); the channel's `request_id` is kept wherever the channel answered.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// The grant is revoked, expired or lacks the API package: retrying cannot help; the seller
    /// must authorise the app again.
    #[error("{channel} needs the account to be re-authorised: {endpoint} answered {}", answer(*.status, *.code, .message, .request_id))]
    Reauthorize {
        /// The channel, e.g. `TikTok Shop`.
        channel: &'static str,
        /// The endpoint's path.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The channel's code.
        code: i64,
        /// The channel's message.
        message: String,
        /// The channel's request id.
        request_id: String,
    },
    /// The channel refused the request.
    #[error("{channel} refused {endpoint}: {}", answer(*.status, *.code, .message, .request_id))]
    Api {
        /// The channel.
        channel: &'static str,
        /// The endpoint's path.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The channel's code.
        code: i64,
        /// The channel's message.
        message: String,
        /// The channel's request id.
        request_id: String,
    },
    /// Throttled or failing after every retry.
    #[error("{channel} kept failing at {endpoint} after {attempts} attempts; the last: {last}")]
    Exhausted {
        /// The channel.
        channel: &'static str,
        /// The endpoint's path.
        endpoint: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure, in the words of [`answer`] or [`UpstreamError::no_answer`].
        last: String,
    },
    /// No answer: the connection or the request failed.
    #[error("{channel} did not answer {endpoint}: {failure}")]
    Network {
        /// The channel.
        channel: &'static str,
        /// The endpoint's path.
        endpoint: String,
        /// What failed, from [`UpstreamError::no_answer`].
        failure: String,
    },
    /// The answer is not what the channel documents.
    #[error("unexpected answer from {channel} at {endpoint}: {reason}")]
    Decode {
        /// The channel.
        channel: &'static str,
        /// The endpoint's path.
        endpoint: String,
        /// What did not fit.
        reason: String,
    },
}

impl UpstreamError {
    /// The channel answered `code` (HTTP `status`); a code in `reauthorize` means the grant is
    /// gone. The message is cleaned of query strings.
    pub fn answered(
        channel: &'static str,
        endpoint: &str,
        status: u16,
        (code, message, request_id): (i64, &str, &str),
        reauthorize: &[i64],
    ) -> Self {
        let (endpoint, message) = (path_of(endpoint), channel_words(message));
        let request_id = request_id.to_owned();
        if reauthorize.contains(&code) {
            Self::Reauthorize {
                channel,
                endpoint,
                status,
                code,
                message,
                request_id,
            }
        } else {
            Self::Api {
                channel,
                endpoint,
                status,
                code,
                message,
                request_id,
            }
        }
    }

    /// The request to `endpoint` got no answer: `error` in words, without its URL.
    pub fn network(channel: &'static str, endpoint: &str, error: reqwest::Error) -> Self {
        Self::Network {
            channel,
            endpoint: path_of(endpoint),
            failure: Self::no_answer(error),
        }
    }

    /// The answer of `endpoint` does not decode: `reason` (cleaned of query strings).
    pub fn decode(channel: &'static str, endpoint: &str, reason: impl AsRef<str>) -> Self {
        Self::Decode {
            channel,
            endpoint: path_of(endpoint),
            reason: channel_words(reason.as_ref()),
        }
    }

    /// What failed in a request that got no answer, from reqwest's classification and the
    /// innermost cause (an OS or protocol error), never from the error's own text, which
    /// holds the URL.
    pub fn no_answer(error: reqwest::Error) -> String {
        let error = error.without_url();
        let what = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "could not connect"
        } else if error.is_body() || error.is_decode() {
            "the answer broke off"
        } else if error.is_redirect() {
            "a redirect failed"
        } else if error.is_builder() {
            "the request could not be built"
        } else {
            "the request failed"
        };
        let mut innermost = None;
        let mut cause = std::error::Error::source(&error);
        while let Some(inner) = cause {
            innermost = Some(inner);
            cause = inner.source();
        }
        match innermost {
            Some(inner) => format!("{what}: {}", channel_words(&inner.to_string())),
            None => what.to_owned(),
        }
    }

    /// The same refusal, as one only a new authorisation can fix (an `Api` answer becomes
    /// `Reauthorize`; anything else is returned as it is).
    #[must_use]
    pub fn needing_authorisation(self) -> Self {
        match self {
            Self::Api {
                channel,
                endpoint,
                status,
                code,
                message,
                request_id,
            } => Self::Reauthorize {
                channel,
                endpoint,
                status,
                code,
                message,
                request_id,
            },
            other => other,
        }
    }

    /// The same error with every occurrence of `secrets` in its text replaced: for calls that
    /// send credentials, in case the channel repeats them in its message.
    #[must_use]
    pub fn hiding(mut self, secrets: &[&str]) -> Self {
        let text = match &mut self {
            Self::Reauthorize { message, .. } | Self::Api { message, .. } => message,
            Self::Exhausted { last, .. } => last,
            Self::Network { failure, .. } => failure,
            Self::Decode { reason, .. } => reason,
        };
        for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
            *text = text.replace(secret, "[redacted]");
        }
        self
    }
}

/// An answer in words: `HTTP 429, code 36009002: message (request_id …)`; the message is
/// cleaned of query strings.
pub fn answer(status: u16, code: i64, message: &str, request_id: &str) -> String {
    let mut text = format!("HTTP {status}, code {code}");
    let message = channel_words(message);
    if !message.is_empty() {
        text.push_str(": ");
        text.push_str(&message);
    }
    if !request_id.is_empty() {
        text.push_str(&format!(" (request_id {request_id})"));
    }
    text
}

/// The path of an endpoint given as a path or a URL: no scheme, host or query.
fn path_of(endpoint: &str) -> String {
    let path = match endpoint.find("://") {
        Some(scheme) => {
            let rest = &endpoint[scheme + 3..];
            rest.find('/').map_or("/", |at| &rest[at..])
        }
        None => endpoint,
    };
    path.split(['?', '#']).next().unwrap_or_default().to_owned()
}

/// A channel's own words, on one line, at most 300 characters, without query strings.
fn channel_words(text: &str) -> String {
    let text = without_queries(text);
    let words: Vec<&str> = text.split_whitespace().collect();
    let line = words.join(" ");
    match line.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// `text` with every query string (`?name=value…`, up to the next space, quote, bracket or
/// backslash) replaced by `?…`.
pub fn without_queries(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('?') {
        out.push_str(&rest[..at]);
        let query = &rest[at + 1..];
        let name = query
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .unwrap_or(query.len());
        if name > 0 && query[name..].starts_with('=') {
            let end = query
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '(' | ')' | '\\')
                })
                .unwrap_or(query.len());
            out.push_str("?…");
            rest = &query[end..];
        } else {
            out.push('?');
            rest = query;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_cut_wherever_they_appear() {
        assert_eq!(
            without_queries(
                "GET http://h/api/v2/token/get?app_key=k&app_secret=s&auth_code=c failed; \
                 <a href=\"/x?refresh_token=r\">again?</a> why? a?b"
            ),
            "GET http://h/api/v2/token/get?… failed; <a href=\"/x?…\">again?</a> why? a?b"
        );
    }

    #[test]
    fn endpoints_are_paths() {
        assert_eq!(
            path_of("https://auth.tiktok-shops.com/api/v2/token/get?app_secret=s"),
            "/api/v2/token/get"
        );
        assert_eq!(
            path_of("/order/202309/orders?ids=1"),
            "/order/202309/orders"
        );
        assert_eq!(path_of("http://127.0.0.1:9"), "/");
    }

    #[tokio::test]
    async fn a_failed_request_is_described_without_its_url() {
        // Nothing listens on a port just released.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let error = reqwest::Client::new()
            .get(format!("http://{addr}/api/v2/token/refresh"))
            .query(&[("app_secret", "s3cr3t"), ("refresh_token", "r3fr3sh")])
            .send()
            .await
            .unwrap_err();
        let error = UpstreamError::network("TikTok Shop", "/api/v2/token/refresh", error);
        let text = format!("{error} {error:?}");
        assert!(
            !text.contains("s3cr3t") && !text.contains("r3fr3sh") && !text.contains("http"),
            "{text}"
        );
        assert!(
            text.starts_with("TikTok Shop did not answer /api/v2/token/refresh: could not connect"),
            "{text}"
        );
    }

    #[test]
    fn answers_name_the_channel_the_endpoint_and_the_code() {
        let error = UpstreamError::answered(
            "TikTok Shop",
            "http://h/api/v2/token/refresh?refresh_token=r",
            200,
            (36004001, "rt has expired", "req-1"),
            &[36004001],
        );
        assert!(matches!(error, UpstreamError::Reauthorize { .. }));
        assert_eq!(
            error.to_string(),
            "TikTok Shop needs the account to be re-authorised: /api/v2/token/refresh answered \
             HTTP 200, code 36004001: rt has expired (request_id req-1)"
        );
        let echoed = UpstreamError::answered(
            "TikTok for Business",
            "/open_api/v1.3/oauth2/advertiser/get/",
            400,
            (40002, "bad secret s3cr3t", ""),
            &[],
        )
        .hiding(&["s3cr3t"]);
        assert_eq!(
            echoed.to_string(),
            "TikTok for Business refused /open_api/v1.3/oauth2/advertiser/get/: HTTP 400, code \
             40002: bad secret [redacted]"
        );
    }
}
