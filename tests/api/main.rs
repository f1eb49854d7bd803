//! End-to-end tests: the real server on a random port, over real HTTP, on SQLite by default and
//! on PostgreSQL when `PNL_TEST_DATABASE_URL` is set (a fresh database per test).

// Test modules share helpers with `pub`; nothing here is a public API.
#![allow(unreachable_pub)]
// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod amazon_import;
mod amazon_money;
mod amazon_sync;
mod attacks;
mod attribution;
mod auth;
mod authorize_url;
mod browser;
mod completeness;
mod conformance;
mod costs;
mod crash_recovery;
mod dashboard;
mod dashboard_api;
mod first_hour;
mod fuzz;
mod graphiql;
mod helpers;
mod import;
mod ledger;
mod ledger_bulk;
mod ledger_day_number;
mod ledger_key_hash;
mod ledger_label;
mod ledger_packed_key;
mod ledger_times;
mod ledger_vocabulary;
mod listings;
mod migrations;
mod oauth;
mod pnl;
mod pnl_grain;
mod pnl_shortcuts;
mod raw_compression;
mod reauth_race;
mod rebook;
mod replay;
mod report_cache;
mod schema;
mod secrets;
mod shopify;
mod shopify_connect;
mod shopify_import;
mod shopify_sync;
mod shopify_tenancy;
mod shopify_webhooks;
mod source_kind;
mod statements;
mod store_trouble;
mod subscription;
mod subscription_limits;
mod sync_engine;
mod tenancy;
mod tenant_keys;
mod tiktok_sync;
mod token_recovery;
mod trust;
mod upload;
mod webhooks;
