//! What the API shows of shops and their sync: status, last success, last error, progress.

use chrono::{DateTime, Utc};
use entities::{ad_account, shop, sync_state};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::progress::StoredProgress;
use super::SyncState;
use crate::connectors::registry::Registry;
use crate::connectors::ShopStatus;
use crate::error::{Error, Result};
use crate::ledger::Channel;

/// A shop's sync status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncView {
    /// Where the job is.
    pub state: SyncState,
    /// When the last sync finished well.
    pub last_success_at: Option<DateTime<Utc>>,
    /// Why the last sync failed or is paused.
    pub last_error: Option<String>,
    /// Where the running (or last) sync is.
    pub progress: Option<StoredProgress>,
    /// When it runs next (none while paused).
    pub next_run_at: Option<DateTime<Utc>>,
}

/// A shop as the API shows it (never its credentials).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShopView {
    /// Row id.
    pub id: i64,
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
    /// Its sync, once scheduled.
    pub sync: Option<SyncView>,
}

/// The stored stream of `shop`'s own money, from its channel's connector; none for a channel
/// no connector serves (a shop whose money comes from imported statement files only).
fn shop_stream(shop: &shop::Model) -> Result<Option<&'static str>> {
    Ok(Registry::builtin()
        .channel(shop.channel.parse()?)
        .ok()
        .map(|connector| connector.shop_stream()))
}

fn view(shop: shop::Model, job: Option<sync_state::Model>) -> Result<ShopView> {
    Ok(ShopView {
        id: shop.id,
        channel: shop.channel.parse()?,
        external_id: shop.external_id,
        name: shop.name,
        region: shop.region,
        currency: shop.currency,
        status: shop.status.parse()?,
        status_message: shop.status_message,
        sync: job.map(SyncView::try_from).transpose()?,
    })
}

impl TryFrom<sync_state::Model> for SyncView {
    type Error = Error;

    fn try_from(job: sync_state::Model) -> Result<Self> {
        Ok(Self {
            progress: StoredProgress::parse(job.progress.as_deref()),
            state: job.state.parse()?,
            last_success_at: job.last_success_at,
            last_error: job.last_error,
            next_run_at: job.next_run_at,
        })
    }
}

/// The shops of `org_id` with their sync status.
///
/// # Errors
/// Database failures.
pub async fn shops(db: &impl ConnectionTrait, org_id: i64) -> Result<Vec<ShopView>> {
    let rows = shop::Entity::find()
        .filter(shop::Column::OrgId.eq(org_id))
        .order_by_asc(shop::Column::Id)
        .all(db)
        .await?;
    let jobs = sync_state::Entity::find()
        .filter(sync_state::Column::OrgId.eq(org_id))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|shop| {
            let stream = shop_stream(&shop)?;
            let job = jobs
                .iter()
                .find(|job| job.shop_id == shop.id && Some(job.stream.as_str()) == stream)
                .cloned();
            view(shop, job)
        })
        .collect()
}

/// One shop of `org_id`.
///
/// # Errors
/// NOT_FOUND when the org has no such shop; database failures.
pub async fn shop(db: &impl ConnectionTrait, org_id: i64, shop_id: i64) -> Result<ShopView> {
    let row = shop::Entity::find_by_id(shop_id)
        .filter(shop::Column::OrgId.eq(org_id))
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "shop",
            id: shop_id.to_string(),
        })?;
    let job = match shop_stream(&row)? {
        Some(stream) => {
            sync_state::Entity::find()
                .filter(sync_state::Column::OrgId.eq(row.org_id))
                .filter(sync_state::Column::ShopId.eq(row.id))
                .filter(sync_state::Column::Stream.eq(stream))
                .one(db)
                .await?
        }
        None => None,
    };
    view(row, job)
}

/// An ad account as the API shows it (never its credentials).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdAccountView {
    /// Row id.
    pub id: i64,
    /// The advertiser id.
    pub advertiser_id: String,
    /// Name.
    pub name: String,
    /// Its time zone (report days are days there).
    pub time_zone: String,
    /// Currency.
    pub currency: Option<String>,
    /// The shop its spend belongs to.
    pub shop_id: Option<i64>,
    /// Whether its grant works.
    pub status: ShopStatus,
    /// Why, when not ACTIVE.
    pub status_message: Option<String>,
    /// Its spend's sync, once scheduled (an account is synced once linked to a shop).
    pub sync: Option<SyncView>,
}

impl AdAccountView {
    fn new(row: ad_account::Model, job: Option<sync_state::Model>) -> Result<Self> {
        Ok(Self {
            id: row.id,
            advertiser_id: row.advertiser_id,
            name: row.name,
            time_zone: row.time_zone,
            currency: row.currency,
            shop_id: row.shop_id,
            status: row.status.parse()?,
            status_message: row.status_message,
            sync: job.map(SyncView::try_from).transpose()?,
        })
    }
}

/// The ad accounts of `org_id`.
///
/// # Errors
/// Database failures.
pub async fn ad_accounts(db: &impl ConnectionTrait, org_id: i64) -> Result<Vec<AdAccountView>> {
    let rows = ad_account::Entity::find()
        .filter(ad_account::Column::OrgId.eq(org_id))
        .order_by_asc(ad_account::Column::Id)
        .all(db)
        .await?;
    let jobs = sync_state::Entity::find()
        .filter(sync_state::Column::OrgId.eq(org_id))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let stream = Registry::builtin()
                .channel(row.channel.parse()?)?
                .ad_account_stream(&row.advertiser_id);
            let job = jobs
                .iter()
                .find(|job| {
                    Some(job.shop_id) == row.shop_id && Some(&job.stream) == stream.as_ref()
                })
                .cloned();
            AdAccountView::new(row, job)
        })
        .collect()
}

/// One ad account of `org_id`, with its sync status.
///
/// # Errors
/// NOT_FOUND when the org has no such account; database failures.
pub async fn ad_account(db: &impl ConnectionTrait, org_id: i64, id: i64) -> Result<AdAccountView> {
    ad_accounts(db, org_id)
        .await?
        .into_iter()
        .find(|account| account.id == id)
        .ok_or_else(|| Error::NotFound {
            entity: "ad account",
            id: id.to_string(),
        })
}
