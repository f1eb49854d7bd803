//! The dashboard on `GET /` and its files on `GET /dashboard/{file}`, compiled into the binary
//! from `server/assets/dashboard/`. The page is a client of the public GraphQL API only (with
//! the user's token); it must never load anything from another origin, and it runs no inline
//! script or style (the Content-Security-Policy below forbids both).

use axum::extract::Path;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// Our own files change with the server, so browsers revalidate them.
const REVALIDATE: &str = "no-cache";
/// Vendored files carry their version in the name, so a URL never changes content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// No inline script or style; images only as data: URLs; fetch and WebSocket to this origin
/// only (`connect-src 'self'` covers ws:/wss: to the same host in current browsers, CSP 3).
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                              img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
                              form-action 'none'; frame-ancestors 'none'";

const PAGE: &str = include_str!("../../assets/dashboard/index.html");

/// One servable file: its name under `/dashboard/`, content type, caching and bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    cache: &'static str,
    body: &'static [u8],
}

macro_rules! ours {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            cache: REVALIDATE,
            body: include_bytes!(concat!("../../assets/dashboard/", $name)),
        }
    };
}

/// Every file the page loads; `tests/api/dashboard.rs` checks that the page and its modules
/// reference only these.
const ASSETS: &[Asset] = &[
    ours!("app.js", JS),
    ours!("api.js", JS),
    ours!("auth.js", JS),
    ours!("state.js", JS),
    ours!("decimal.js", JS),
    ours!("ui.js", JS),
    ours!("drill.js", JS),
    ours!("overview.js", JS),
    ours!("products.js", JS),
    ours!("payouts.js", JS),
    ours!("creators.js", JS),
    ours!("connections.js", JS),
    ours!("dashboard.css", CSS),
    Asset {
        name: "uplot-1.6.32.min.js",
        content_type: JS,
        cache: IMMUTABLE,
        body: include_bytes!("../../assets/dashboard/uplot-1.6.32.min.js"),
    },
    Asset {
        name: "uplot-1.6.32.min.css",
        content_type: CSS,
        cache: IMMUTABLE,
        body: include_bytes!("../../assets/dashboard/uplot-1.6.32.min.css"),
    },
];

/// The routes: `/` (the page) and `/dashboard/{file}`.
pub(super) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(page))
        .route("/dashboard/{file}", get(asset))
}

/// `GET /`: the dashboard page.
async fn page() -> Response {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, REVALIDATE),
            (CONTENT_SECURITY_POLICY, CSP),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // The login link's fragment never leaves the browser; no Referer carries the page.
            (REFERRER_POLICY, "no-referrer"),
        ],
        PAGE,
    )
        .into_response()
}

/// `GET /dashboard/{file}`: one page or vendored file, 404 for any other name.
async fn asset(Path(file): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (CONTENT_TYPE, asset.content_type),
            (CACHE_CONTROL, asset.cache),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        asset.body,
    )
        .into_response()
}
