//! Every request body is bounded on the bytes actually read — chunked bodies too — before any
//! handler authenticates or parses it: a declared length over the limit is refused at once, and
//! a body that grows past it is cut while it is read (`http_body_util::Limited`, as tower-http's
//! `RequestBodyLimitLayer` does). The limit is the small JSON one (`graphql.max_body_bytes`),
//! except for a multipart upload to `/graphql`, bounded by `import.max_upload_bytes`. This
//! module also gives those refusals the GraphQL-shaped error body every other error has.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::Error;

/// Room for the `operations` and `map` parts and the boundaries of an upload, beside its file.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

/// The body limits.
#[derive(Clone, Copy, Debug)]
pub(super) struct BodyLimits {
    /// Any body but an upload.
    pub(super) json: usize,
    /// The file of a multipart upload to `/graphql`.
    pub(super) upload: usize,
}

/// Whether `request` is a GraphQL multipart request (an upload).
pub(super) fn is_multipart(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// Bounds the body of `request` and turns every 413 (from the bound, or from a handler whose
/// body was cut or whose file was over the limit) into the error body clients parse
/// everywhere, naming the limit.
pub(super) async fn bound(
    State(limits): State<BodyLimits>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let upload = request.uri().path() == "/graphql" && is_multipart(request.headers());
    let (max, shown) = if upload {
        (
            limits.upload.saturating_add(MULTIPART_OVERHEAD),
            limits.upload,
        )
    } else {
        (limits.json, limits.json)
    };
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let response = if declared.is_some_and(|length| length > max as u64) {
        None
    } else {
        let (parts, body) = request.into_parts();
        let body = Body::new(http_body_util::Limited::new(body, max));
        Some(next.run(Request::from_parts(parts, body)).await)
    };
    match response {
        Some(response) if response.status() != StatusCode::PAYLOAD_TOO_LARGE => response,
        _ if upload => Error::bad_input(format!(
            "the uploaded file is over the size limit; the limit is {shown} bytes \
             (import.max_upload_bytes)"
        ))
        .into_response_with(StatusCode::PAYLOAD_TOO_LARGE),
        _ => Error::bad_input(format!(
            "the request body is over the size limit; the limit is {shown} bytes"
        ))
        .into_response_with(StatusCode::PAYLOAD_TOO_LARGE),
    }
}

/// Whether `error`, or an error it was caused by, is the limit cutting a body.
pub(super) fn is_cut(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = error.source();
    }
    false
}
