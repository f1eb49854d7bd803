//! `POST /webhooks/tiktok`: 401 and nothing stored unless the signature over the raw body is
//! right; then store and act (see `crate::webhooks`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::HttpState;
use crate::error::Error;
use crate::webhooks;

/// Receives one TikTok Shop event.
pub(super) async fn tiktok(
    State(state): State<HttpState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let app = &state.app.config.tiktok;
    let signature = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    if !webhooks::verify(&app.app_key, app.app_secret.expose(), &body, signature) {
        tracing::warn!("rejected a TikTok webhook with a wrong or missing signature");
        return Error::Unauthenticated("invalid webhook signature".to_owned()).into_response();
    }
    match webhooks::receive(&state.app, &body).await {
        Ok(delivery) => (
            StatusCode::OK,
            Json(json!({ "code": 0, "message": "success", "stored": delivery.stored, "replayed": delivery.replayed })),
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}
