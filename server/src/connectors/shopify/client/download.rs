//! Streaming a bulk operation's JSONL: one chunk and one partial line buffered at a time; the
//! URL (a signed credential) appears in no error.

use futures::Stream;

use super::super::error::ShopifyError;

const DOWNLOAD: &str = "the bulk operation's JSONL download";

/// [`ShopifyClient::download_lines`] with any HTTP client.
///
/// # Errors
/// No answer or a refusal, without the URL.
pub async fn download_lines(
    http: &reqwest::Client,
    url: &str,
) -> Result<impl Stream<Item = Result<String, ShopifyError>> + Send + use<>, ShopifyError> {
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|e| ShopifyError::network(DOWNLOAD, e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(ShopifyError::upstream(
            DOWNLOAD,
            Some(status.as_u16()),
            format!("HTTP {}", status.as_u16()),
        ));
    }
    struct Reading {
        response: reqwest::Response,
        buffer: Vec<u8>,
        line: u64,
        done: bool,
    }
    let start = Reading {
        response,
        buffer: Vec::new(),
        line: 0,
        done: false,
    };
    Ok(futures::stream::unfold(start, |mut r| async move {
        loop {
            if let Some(at) = r.buffer.iter().position(|b| *b == b'\n') {
                let rest = r.buffer.split_off(at + 1);
                let mut line = std::mem::replace(&mut r.buffer, rest);
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                r.line += 1;
                if line.is_empty() {
                    continue;
                }
                let item = String::from_utf8(line).map_err(|_| {
                    ShopifyError::upstream(
                        DOWNLOAD,
                        Some(200),
                        format!("line {} is not UTF-8", r.line),
                    )
                });
                return Some((item, r));
            }
            if r.done {
                if r.buffer.is_empty() {
                    return None;
                }
                r.line += 1;
                let line = std::mem::take(&mut r.buffer);
                let item = String::from_utf8(line).map_err(|_| {
                    ShopifyError::upstream(
                        DOWNLOAD,
                        Some(200),
                        format!("line {} is not UTF-8", r.line),
                    )
                });
                return Some((item, r));
            }
            match r.response.chunk().await {
                Ok(Some(chunk)) => r.buffer.extend_from_slice(&chunk),
                Ok(None) => r.done = true,
                Err(e) => {
                    r.done = true;
                    r.buffer.clear();
                    return Some((Err(ShopifyError::network(DOWNLOAD, e)), r));
                }
            }
        }
    }))
}
