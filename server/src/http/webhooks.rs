//! `POST /webhooks/{name}`: hands the raw body and headers to the webhook receiver of the
//! connector named `name` (which verifies the signature before anything is parsed or stored);
//! 404 in words for a name no connector receives.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::HttpState;
use crate::error::Error;

/// Receives one event for the channel named `name`.
pub(super) async fn receive(
    State(state): State<HttpState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(receiver) = state.app.connectors.webhook(&name) else {
        return Error::NotFound {
            entity: "webhook receiver",
            id: name,
        }
        .into_response();
    };
    match receiver.receive(&state.app, &headers, &body).await {
        Ok(answer) => (StatusCode::OK, Json(answer)).into_response(),
        Err(error) => error.into_response(),
    }
}
