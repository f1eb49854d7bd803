//! GraphQL over HTTP media types: which one an answer is sent as, and how a request error looks
//! under each (the GraphQL-over-HTTP specification, "Body" and "Status Codes").

use async_graphql::{Response as GqlResponse, Value};
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// Whether the body is declared as JSON (`application/json`, any parameters). Multipart
/// requests are refused: no field takes a file upload.
pub(super) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// The media type of a GraphQL answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Media {
    /// `application/graphql-response+json`: status codes tell request errors apart.
    GraphqlResponse,
    /// `application/json`: every well-formed request answers 200 (legacy clients).
    Json,
}

impl Media {
    /// The media type to answer with: `application/graphql-response+json` when the client
    /// accepts it, else `application/json` when it accepts that (or sends no `Accept`, or a
    /// wildcard); `None` when it accepts neither.
    pub(super) fn negotiate(headers: &HeaderMap) -> Option<Self> {
        let Some(accept) = headers.get(ACCEPT).and_then(|value| value.to_str().ok()) else {
            return Some(Self::Json);
        };
        let mut found = None;
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            // `q=0` (or 0.0, 0.000) means "not this one".
            let refused = parts.any(|param| {
                param
                    .trim()
                    .strip_prefix("q=")
                    .is_some_and(|q| q.trim().chars().all(|c| c == '0' || c == '.'))
            });
            if refused {
                continue;
            }
            match essence.as_str() {
                "application/graphql-response+json" => return Some(Self::GraphqlResponse),
                "application/json" | "application/*" | "*/*" => found = Some(Self::Json),
                _ => {}
            }
        }
        found
    }

    /// The HTTP answer carrying `response`.
    pub(super) fn respond(self, response: &GqlResponse) -> Response {
        // A request error (nothing ran: parse, validation, limits) carries only path-less
        // errors and no data; the key is then left out, as GraphQL asks.
        let request_error = response.data == Value::Null
            && !response.errors.is_empty()
            && response.errors.iter().all(|error| error.path.is_empty());
        let mut body = serde_json::to_value(response).unwrap_or_default();
        if request_error {
            if let Some(object) = body.as_object_mut() {
                object.remove("data");
            }
        }
        let (content_type, status) = match (self, request_error) {
            (Self::GraphqlResponse, true) => (GRAPHQL_RESPONSE, StatusCode::BAD_REQUEST),
            (Self::GraphqlResponse, false) => (GRAPHQL_RESPONSE, StatusCode::OK),
            (Self::Json, _) => (JSON, StatusCode::OK),
        };
        let mut answer = (status, body.to_string()).into_response();
        answer
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        answer.headers_mut().extend(response.http_headers.clone());
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<Media> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_str(value).unwrap());
        Media::negotiate(&headers)
    }

    #[test]
    fn accept_picks_the_media_type() {
        assert_eq!(Media::negotiate(&HeaderMap::new()), Some(Media::Json));
        assert_eq!(accept("application/json"), Some(Media::Json));
        assert_eq!(accept("*/*"), Some(Media::Json));
        assert_eq!(
            accept("application/json, application/graphql-response+json;q=0.9"),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0, application/json"),
            Some(Media::Json)
        );
        assert_eq!(accept("text/html"), None);
    }
}
