//! Every request body is bounded on the bytes actually read — chunked bodies too — before any
//! handler authenticates or parses it: tower-http's `RequestBodyLimitLayer` refuses a declared
//! length over the limit at once and cuts a body that grows past it while it is read. This
//! module gives those refusals the GraphQL-shaped error body every other error has.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::Error;

/// Turns every 413 (from the limit layer, or from a handler whose body was cut) into the error
/// body clients parse everywhere, naming the limit.
pub(super) async fn explain(
    State(max): State<usize>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    Error::bad_input(format!(
        "the request body is over the size limit; the limit is {max} bytes"
    ))
    .into_response_with(StatusCode::PAYLOAD_TOO_LARGE)
}

/// Whether `error`, or an error it was caused by, is the limit layer cutting a body.
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
