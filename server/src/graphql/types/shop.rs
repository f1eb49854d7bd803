//! Shops, their sync status and ad accounts as the API shows them.

use super::scalars::DateTime;
use async_graphql::{SimpleObject, ID};

use crate::connectors::ShopStatus;
use crate::ledger::Channel;
use crate::sync::progress::StoredProgress;
use crate::sync::status::{AdAccountView, ShopView, SyncView};
use crate::sync::SyncState;

/// Where a running sync is: a step and how far into it.
#[derive(Clone, Debug, PartialEq, Eq, SimpleObject)]
pub struct SyncProgress {
    /// The step (orders, affiliate orders, payments, statements, statement transactions,
    /// unsettled, ads, done).
    pub step: String,
    /// Units done in the step.
    pub done: i32,
    /// Units in the step, when known (a progress bar can use done / total).
    pub total: Option<i32>,
    /// When this was recorded.
    pub at: Option<DateTime>,
}

impl From<StoredProgress> for SyncProgress {
    fn from(p: StoredProgress) -> Self {
        Self {
            step: p.step,
            done: i32::try_from(p.done).unwrap_or(i32::MAX),
            total: p.total.map(|t| i32::try_from(t).unwrap_or(i32::MAX)),
            at: p.at.map(Into::into),
        }
    }
}

/// A shop's sync status.
#[derive(Clone, Debug, PartialEq, Eq, SimpleObject)]
pub struct SyncStatus {
    /// Where the job is (PAUSED needs someone to act, e.g. re-authorise).
    pub state: SyncState,
    /// When the last sync finished well.
    pub last_success_at: Option<DateTime>,
    /// Why the last sync failed or is paused.
    pub last_error: Option<String>,
    /// Where the running (or last) sync is.
    pub progress: Option<SyncProgress>,
    /// When it runs next.
    pub next_run_at: Option<DateTime>,
}

impl From<SyncView> for SyncStatus {
    fn from(v: SyncView) -> Self {
        Self {
            state: v.state,
            last_success_at: v.last_success_at.map(Into::into),
            last_error: v.last_error,
            progress: v.progress.map(Into::into),
            next_run_at: v.next_run_at.map(Into::into),
        }
    }
}

/// A connected channel account.
#[derive(Clone, Debug, PartialEq, Eq, SimpleObject)]
pub struct Shop {
    /// Row id.
    pub id: ID,
    /// Channel.
    pub channel: Channel,
    /// The channel's id for it.
    pub external_id: String,
    /// Name.
    pub name: String,
    /// Region.
    pub region: Option<String>,
    /// Currency.
    pub currency: Option<String>,
    /// Whether its grant works.
    pub status: ShopStatus,
    /// Why, when not ACTIVE.
    pub status_message: Option<String>,
    /// Its sync (null until first scheduled).
    pub sync_status: Option<SyncStatus>,
}

impl From<ShopView> for Shop {
    fn from(v: ShopView) -> Self {
        Self {
            id: ID(v.id.to_string()),
            channel: v.channel,
            external_id: v.external_id,
            name: v.name,
            region: v.region,
            currency: v.currency,
            status: v.status,
            status_message: v.status_message,
            sync_status: v.sync.map(Into::into),
        }
    }
}

/// A connected ad account (an advertiser on the channel's ad platform).
#[derive(Clone, Debug, SimpleObject)]
pub struct AdAccount {
    /// Row id.
    pub id: ID,
    /// The advertiser id.
    pub advertiser_id: String,
    /// Name.
    pub name: String,
    /// Its time zone; report days are days there.
    pub time_zone: String,
    /// Currency.
    pub currency: Option<String>,
    /// The shop its spend belongs to (null until linked).
    pub shop_id: Option<ID>,
    /// Whether its grant works.
    pub status: ShopStatus,
    /// Why, when not ACTIVE.
    pub status_message: Option<String>,
    /// The sync of its spend: state, last success, last error and progress, like a shop's
    /// (null until it is linked to a shop and scheduled).
    pub sync_status: Option<SyncStatus>,
}

impl From<AdAccountView> for AdAccount {
    fn from(v: AdAccountView) -> Self {
        Self {
            id: ID(v.id.to_string()),
            advertiser_id: v.advertiser_id,
            name: v.name,
            time_zone: v.time_zone,
            currency: v.currency,
            shop_id: v.shop_id.map(|id| ID(id.to_string())),
            status: v.status,
            status_message: v.status_message,
            sync_status: v.sync.map(Into::into),
        }
    }
}

/// Parses a shop id argument.
///
/// # Errors
/// BAD_USER_INPUT when it is not a number.
pub fn shop_id(id: &ID) -> crate::error::Result<i64> {
    id.parse().map_err(|_| {
        crate::error::Error::bad_input(format!("shopId: invalid id {:?}", id.as_str()))
    })
}
