//! The GraphQL endpoint: authenticate, execute, and make sure every error carries a code and no
//! internal detail.

use async_graphql::{ErrorExtensionValues, Response as GqlResponse, ServerError, Value};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::auth::viewer_from_headers;
use super::body_limit;
use super::media::{is_json, Media};
use super::HttpState;
use crate::error::Error;
use crate::graphql::session::Session;
use crate::graphql::types::scalars::format_of;

/// `POST /graphql`: GraphQL over HTTP. The answer's media type follows `Accept`
/// ([`Media::negotiate`]); a request that cannot run (unreadable body, parse or validation error,
/// a limit) has no `data`, and under `application/graphql-response+json` answers 400. Headers are
/// checked before the body is read; the body (bounded by the limit layer) before the token.
pub(super) async fn execute(State(state): State<HttpState>, request: Request) -> Response {
    let Some(media) = Media::negotiate(request.headers()) else {
        return Error::bad_input(
            "the Accept header allows neither application/graphql-response+json nor \
             application/json",
        )
        .into_response_with(StatusCode::NOT_ACCEPTABLE);
    };
    if body_limit::is_multipart(request.headers()) {
        return super::upload::execute(&state, media, request).await;
    }
    if !is_json(request.headers()) {
        return Error::bad_input(
            "a GraphQL request is a JSON body (or a multipart upload): send it with \
             Content-Type: application/json",
        )
        .into_response_with(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    let (parts, body) = request.into_parts();
    let operation = match read_operation(body).await {
        Ok(operation) => operation,
        Err(refusal) => return refusal,
    };
    let headers = parts.headers;
    let viewer = match viewer_from_headers(&state.app, &headers).await {
        Ok(viewer) => viewer,
        Err(error) => return error.into_response(),
    };
    let operation = match viewer {
        Some(viewer) => operation.data(viewer),
        None => operation,
    };
    media.respond(&sanitize(state.schema.execute(operation).await))
}

/// Reads one GraphQL request from a JSON body. A body the limit layer cut answers 413 (worded by
/// that layer); anything else that is not one request answers 400 saying what is wrong in words,
/// never Rust debug text.
async fn read_operation(body: Body) -> Result<async_graphql::Request, Response> {
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|error| {
            if body_limit::is_cut(&error) {
                StatusCode::PAYLOAD_TOO_LARGE.into_response()
            } else {
                Error::bad_input("the request body could not be read").into_response()
            }
        })?;
    let refuse = |reason: String| {
        Error::bad_input(format!("the body is not a GraphQL request: {reason}")).into_response()
    };
    if bytes.trim_ascii_start().starts_with(b"[") {
        return Err(refuse("batches (a JSON array) are not accepted".to_owned()));
    }
    let operation: async_graphql::Request =
        serde_json::from_slice(&bytes).map_err(|error| refuse(format!("invalid JSON: {error}")))?;
    if operation.query.trim().is_empty() {
        return Err(refuse(
            "it has no `query`: send {\"query\": \"{ me { org } }\"}".to_owned(),
        ));
    }
    Ok(operation)
}

/// Gives every error a `code`: errors without a path (parse, validation, depth and complexity
/// limits) are the caller's (BAD_USER_INPUT); an uncoded error from a resolver is a bug whose
/// message may carry internals, so it is replaced (INTERNAL) and logged.
pub(super) fn sanitize(mut response: GqlResponse) -> GqlResponse {
    for error in &mut response.errors {
        if has_code(error) {
            continue;
        }
        let code = if error.path.is_empty() {
            explain_scalar(&mut error.message);
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

/// Adds the accepted format to a validation error about one of our scalars
/// (`Invalid value for argument "range.from", expected type "Date"`), so the caller learns both
/// the argument and what to write.
fn explain_scalar(message: &mut String) {
    let scalar = message
        .strip_suffix('"')
        .and_then(|rest| rest.rsplit_once("expected type \""))
        .map(|(_, name)| name.trim_end_matches('!'));
    if let Some(format) = scalar.and_then(format_of) {
        message.push_str(": ");
        message.push_str(format);
    }
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
    // A message is bounded like a request body.
    let max = state.app.config.graphql.max_body_bytes;
    upgrade
        .max_message_size(max)
        .max_frame_size(max)
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
                        let claims = app
                            .jwt
                            .verify(&token)
                            .map_err(|error| async_graphql::Error::new(error.public_message()))?;
                        data.insert(viewer);
                        data.insert(Session {
                            token,
                            expires_at: claims.exp,
                            open: std::sync::Arc::default(),
                        });
                    }
                    Ok(data)
                })
                .serve()
        })
}
