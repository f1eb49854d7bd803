//! GraphiQL on `GET /graphql` and its assets on `GET /graphiql/{file}`, all compiled into the
//! binary from `server/assets/graphiql/` so the page works offline. It must never reference
//! another origin: no CDN, no remote fonts (the CSP header enforces it in the browser).

use axum::extract::Path;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
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

// Styles: GraphiQL's libraries inject `<style>` elements at run time, hence 'unsafe-inline'.
// Fonts and icons are data: URLs inside the CSS. `connect-src 'self'` covers ws:/wss: to the
// same host in current browsers (CSP 3).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
                   base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE: &str = include_str!("../../assets/graphiql/index.html");

/// One servable file: its name under `/graphiql/`, content type, caching and bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    cache: &'static str,
    body: &'static [u8],
}

/// Every file `index.html` references; `tests/api/graphiql.rs` checks the two agree.
const ASSETS: &[Asset] = &[
    Asset {
        name: "pnl-graphiql.js",
        content_type: JS,
        cache: REVALIDATE,
        body: include_bytes!("../../assets/graphiql/pnl-graphiql.js"),
    },
    Asset {
        name: "graphiql-4.1.2.min.js",
        content_type: JS,
        cache: IMMUTABLE,
        body: include_bytes!("../../assets/graphiql/graphiql-4.1.2.min.js"),
    },
    Asset {
        name: "graphiql-4.1.2.min.css",
        content_type: CSS,
        cache: IMMUTABLE,
        body: include_bytes!("../../assets/graphiql/graphiql-4.1.2.min.css"),
    },
    Asset {
        name: "react-18.3.1.production.min.js",
        content_type: JS,
        cache: IMMUTABLE,
        body: include_bytes!("../../assets/graphiql/react-18.3.1.production.min.js"),
    },
    Asset {
        name: "react-dom-18.3.1.production.min.js",
        content_type: JS,
        cache: IMMUTABLE,
        body: include_bytes!("../../assets/graphiql/react-dom-18.3.1.production.min.js"),
    },
    Asset {
        name: "graphql-ws-6.4.2.min.js",
        content_type: JS,
        cache: IMMUTABLE,
        body: include_bytes!("../../assets/graphiql/graphql-ws-6.4.2.min.js"),
    },
];

/// `GET /graphql`: the GraphiQL page.
pub(super) async fn page() -> Response {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, REVALIDATE),
            (CONTENT_SECURITY_POLICY, CSP),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        PAGE,
    )
        .into_response()
}

/// The `/graphiql/{file}` route when `enabled` (config `graphql.graphiql`), else no route.
pub(super) fn assets<S: Clone + Send + Sync + 'static>(enabled: bool) -> Router<S> {
    if enabled {
        Router::new().route("/graphiql/{file}", get(asset))
    } else {
        Router::new()
    }
}

/// `GET /graphiql/{file}`: one vendored or page file, 404 for any other name.
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
