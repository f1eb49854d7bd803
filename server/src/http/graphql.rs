//! The GraphQL endpoint: authenticate, execute, and make sure every error carries a code and no
//! internal detail.

use async_graphql::http::GraphiQLSource;
use async_graphql::{ErrorExtensionValues, Response as GqlResponse, ServerError, Value};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::auth::viewer_from_headers;
use super::HttpState;
use crate::error::Error;

/// `POST /graphql`.
pub(super) async fn execute(
    State(state): State<HttpState>,
    headers: axum::http::HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let viewer = match viewer_from_headers(&state.app, &headers).await {
        Ok(viewer) => viewer,
        Err(error) => return error.into_response(),
    };
    let mut request = request.into_inner();
    if let Some(viewer) = viewer {
        request = request.data(viewer);
    }
    let response = sanitize(state.schema.execute(request).await);
    GraphQLResponse::from(response).into_response()
}

/// `GET /graphql`: GraphiQL.
pub(super) async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

/// Refuses a body larger than the limit with a GraphQL-shaped error naming both sizes (the
/// `DefaultBodyLimit` layer still guards bodies sent without a length).
pub(super) async fn limit_body(
    State(max): State<usize>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let length = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<usize>().ok());
    match length {
        Some(length) if length > max => {
            let error = Error::bad_input(format!(
                "request body is {length} bytes; the limit is {max} bytes"
            ));
            let mut response = error.into_response();
            *response.status_mut() = axum::http::StatusCode::PAYLOAD_TOO_LARGE;
            response
        }
        _ => next.run(request).await,
    }
}

/// Gives every error a `code`: errors without a path (parse, validation, depth and complexity
/// limits) are the caller's (BAD_USER_INPUT); an uncoded error from a resolver is a bug whose
/// message may carry internals, so it is replaced (INTERNAL) and logged.
fn sanitize(mut response: GqlResponse) -> GqlResponse {
    for error in &mut response.errors {
        if has_code(error) {
            continue;
        }
        let code = if error.path.is_empty() {
            "BAD_USER_INPUT"
        } else {
            tracing::error!(message = %error.message, path = ?error.path, "resolver error without a code");
            error.message = "internal error".to_owned();
            "INTERNAL"
        };
        error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default)
            .set("code", Value::from(code));
    }
    response
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|ext| ext.get("code").is_some())
}
