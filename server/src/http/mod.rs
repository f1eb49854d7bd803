//! HTTP routes: `/` (the dashboard), `/graphql` (POST queries, GET GraphiQL), `/oauth/token`,
//! `/healthz`, `/readyz`, with request ids, tracing, body limits and timeouts.

mod auth;
mod body_limit;
mod connect;
mod dashboard;
mod graphiql;
mod graphql;
mod health;
mod media;
mod oauth;
mod rate_limit;
mod upload;
mod webhooks;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::routing::{get, post};
use axum::Router;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use auth::{viewer_from_headers, viewer_from_token};

use crate::graphql::{build_schema, AppSchema};
use crate::state::AppState;

/// State of the HTTP layer: the application state and the schema built over it.
#[derive(Clone)]
pub(crate) struct HttpState {
    pub(crate) app: AppState,
    pub(crate) schema: AppSchema,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The complete router over `state`.
pub fn router(state: AppState) -> Router {
    let limits = state.config.graphql.clone();
    let schema = build_schema(state.clone(), &limits);
    let mut graphql_route = post(graphql::execute);
    if limits.graphiql {
        graphql_route = graphql_route.get(graphiql::page);
    }
    let rates = rate_limit::RateLimits::new(&state.config.rate_limit);
    let uploads = state.config.import.max_upload_bytes;
    let http = HttpState { app: state, schema };
    Router::new()
        .route("/graphql", graphql_route)
        .route("/graphql/ws", get(graphql::subscriptions))
        .merge(graphiql::assets(limits.graphiql))
        .merge(dashboard::routes())
        .route("/oauth/token", post(oauth::token))
        .route("/connect/{kind}", get(connect::begin))
        .route("/connect/{kind}/callback", get(connect::callback))
        .route("/webhooks/{name}", post(webhooks::receive))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        // axum's own extractor limit off (the bound is the limit); the bound counts the bytes
        // read and words its refusals.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            body_limit::BodyLimits {
                json: limits.max_body_bytes,
                upload: uploads,
            },
            body_limit::bound,
        ))
        // Rates are checked before a byte of the body is read.
        .layer(axum::middleware::from_fn_with_state(
            rates,
            rate_limit::limit,
        ))
        .with_state(http)
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let request_id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO)))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}
