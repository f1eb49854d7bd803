//! The HTTP surface: the TikTok Shop auth host, the signed shop API and the Marketing API
//! host, all on one axum router (each real host's paths are distinct).
//!
//! Handlers only parse parameters, ask the [`World`] and render the vendor's JSON; the
//! shapes follow `shared/reference/tiktok-shop-and-ads-api.md` (section numbers cited).

mod ads;
mod ads_report;
mod affiliate;
mod auth;
mod envelope;
mod finance;
mod flat;
mod guard;
mod orders;
mod paging;
mod render;
mod returns;
mod scan;
mod sign;
mod tokens;
mod transactions;
mod webhooks;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

use crate::amazon::{self, AmazonWorld};
use crate::config::SandboxConfig;
use crate::faults::Faults;
use crate::shopify::{self, ShopifyWorld};
use crate::world::World;

pub(crate) use tokens::TokenStore;
pub(crate) use transactions::{order_2501, statement_2501};

/// A subscribed webhook.
#[derive(Debug, Clone)]
pub(crate) struct Webhook {
    pub(crate) address: String,
    pub(crate) create_time: i64,
    pub(crate) update_time: i64,
}

/// State shared by all handlers.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) config: SandboxConfig,
    pub(crate) world: Arc<World>,
    pub(crate) faults: Arc<Faults>,
    pub(crate) tokens: Mutex<TokenStore>,
    /// Webhooks per (shop, event type).
    pub(crate) webhooks: Mutex<BTreeMap<(usize, String), Webhook>>,
    /// The Amazon sellers, LWA tokens and usage plans.
    pub(crate) amazon: Arc<AmazonWorld>,
    /// The Shopify stores, tokens, buckets and bulk operations.
    pub(crate) shopify: Arc<ShopifyWorld>,
}

/// Shared handler state.
pub(crate) type Shared = Arc<AppState>;

async fn not_found() -> impl IntoResponse {
    envelope::ApiError::new(
        StatusCode::NOT_FOUND,
        envelope::INVALID_PARAM,
        "invalid path or api version",
    )
}

/// The router of every simulated endpoint.
pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        // Auth host (not signed), reference §1.4.
        .route("/oauth/authorize", get(auth::authorize))
        .route("/api/v2/token/get", get(auth::token_get))
        .route("/api/v2/token/refresh", get(auth::token_refresh))
        // Shop API (signed), reference §1.5, §3, §4, §5, §2.
        .route("/authorization/202309/shops", get(finance::shops))
        .route("/finance/202309/statements", get(finance::statements))
        .route("/finance/202309/payments", get(finance::payments))
        .route(
            "/finance/202501/statements/{statement_id}/statement_transactions",
            get(transactions::by_statement_202501),
        )
        .route(
            "/finance/202309/statements/{statement_id}/statement_transactions",
            get(transactions::by_statement_202309),
        )
        .route(
            "/finance/202501/orders/{order_id}/statement_transactions",
            get(transactions::by_order_202501),
        )
        .route(
            "/finance/202309/orders/{order_id}/statement_transactions",
            get(transactions::by_order_202309),
        )
        .route(
            "/finance/202507/orders/unsettled",
            get(transactions::unsettled),
        )
        .route("/order/202309/orders/search", post(orders::search))
        .route("/order/202309/orders", get(orders::detail))
        .route(
            "/return_refund/202309/returns/search",
            post(returns::search),
        )
        .route(
            "/affiliate_seller/202410/orders/search",
            post(affiliate::search),
        )
        .route(
            "/event/202309/webhooks",
            get(webhooks::list)
                .put(webhooks::update)
                .delete(webhooks::remove),
        )
        // Marketing API host, reference §6.
        .route("/portal/auth", get(ads::authorize))
        .route(
            "/open_api/v1.3/oauth2/access_token/",
            post(ads::access_token),
        )
        .route(
            "/open_api/v1.3/oauth2/advertiser/get/",
            get(ads::advertisers),
        )
        .route("/open_api/v1.3/gmv_max/store/list/", get(ads::stores))
        .route(
            "/open_api/v1.3/report/integrated/get/",
            get(ads_report::integrated),
        )
        .route(
            "/open_api/v1.3/gmv_max/report/get/",
            get(ads_report::gmv_max),
        )
        // Amazon: LWA, Seller Central consent, SP-API (any region) and report documents.
        .route("/auth/o2/token", post(amazon::lwa::token))
        .route("/apps/authorize/consent", get(amazon::lwa::consent))
        .route(
            "/finances/v0/financialEventGroups",
            get(amazon::api::groups),
        )
        .route(
            "/finances/v0/financialEventGroups/{group_id}/financialEvents",
            get(amazon::api::events),
        )
        .route(
            "/sellers/v1/marketplaceParticipations",
            get(amazon::sellers::participations),
        )
        .route("/reports/2021-06-30/reports", get(amazon::api::reports))
        .route(
            "/reports/2021-06-30/documents/{document_id}",
            get(amazon::api::document),
        )
        .route("/sandbox-reports/{document_id}", get(amazon::api::download))
        // Shopify: Admin GraphQL, OAuth install and the bulk download host.
        .route(
            "/shopify/{shop}/admin/api/{version}/graphql.json",
            post(shopify::api::graphql),
        )
        .route(
            "/shopify/{shop}/admin/oauth/authorize",
            get(shopify::api::authorize),
        )
        .route(
            "/shopify/{shop}/admin/oauth/access_token",
            post(shopify::api::access_token),
        )
        .route("/shopify-bulk/{file}", get(shopify::api::download))
        .fallback(not_found)
        .with_state(state)
}

#[cfg(test)]
mod tests;
