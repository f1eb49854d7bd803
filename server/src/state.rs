//! Shared application state handed to every handler and resolver.

use std::sync::Arc;

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::connectors::Registry;
use crate::crypto::SecretBox;
use crate::db::Db;
use crate::pnl::ReportCache;
use crate::sync::SyncEngine;

/// What every request can reach. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Token signing and verification keys.
    pub jwt: JwtKeys,
    /// The configuration in force.
    pub config: Arc<Config>,
    /// Encrypts channel credentials at rest.
    pub secrets: SecretBox,
    /// The sync engine's in-process side (wake-ups, worker identity).
    pub sync: Arc<SyncEngine>,
    /// The channel connectors (see [`crate::connectors`]).
    pub connectors: Registry,
    /// Profit reports kept while nothing they read changes (see [`crate::pnl::cache`]).
    pub reports: Arc<ReportCache>,
}
