//! Liveness and readiness probes.

use axum::extract::State;
use axum::http::StatusCode;

use super::HttpState;

/// The process is up.
pub(super) async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: the database answers.
pub(super) async fn readyz(State(state): State<HttpState>) -> (StatusCode, &'static str) {
    if state.app.db.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}
