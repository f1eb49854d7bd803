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

/// `GET /graphql/ws`: subscriptions over WebSocket (graphql-transport-ws, and the older
/// graphql-ws). The token goes in the `connection_init` payload as `{"Authorization": "Bearer
/// …"}` (or `{"token": "…"}`), since browsers cannot set headers on a WebSocket.
pub(super) async fn subscriptions(
    State(state): State<HttpState>,
    protocol: async_graphql_axum::GraphQLProtocol,
    upgrade: axum::extract::WebSocketUpgrade,
) -> Response {
    let schema = state.schema.clone();
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let app = state.app.clone();
            async_graphql_axum::GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload
                        .get("Authorization")
                        .or_else(|| payload.get("authorization"))
                        .and_then(|v| v.as_str())
                        .map(|v| {
                            v.trim_start_matches("Bearer ")
                                .trim_start_matches("bearer ")
                                .to_owned()
                        })
                        .or_else(|| {
                            payload
                                .get("token")
                                .and_then(|v| v.as_str())
                                .map(ToOwned::to_owned)
                        });
                    let mut data = async_graphql::Data::default();
                    if let Some(token) = token {
                        let viewer = super::auth::viewer_from_token(&app, &token)
                            .await
                            .map_err(|error| async_graphql::Error::new(error.public_message()))?;
                        data.insert(viewer);
                    }
                    Ok(data)
                })
                .serve()
        })
}
