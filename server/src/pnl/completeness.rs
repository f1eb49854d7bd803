//! What a P&L is built on: every source that feeds the org's ledger — each synced stream of a
//! shop, each ad account, each series of imported statements — with its state, its last good
//! sync and the latest day it covers; and whether all of them are healthy and reach the range's
//! end. A paused ad account then shows as "ad spend missing since …" instead of a silently better
//! margin.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{ad_account, shop, sync_state};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::connectors::registry::Registry;
use crate::connectors::seam::StreamTarget;
use crate::connectors::ShopStatus;
use crate::error::Result;
use crate::ledger::{text_enum, Channel};
use crate::sync::SyncState;

/// What kind of source feeds the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum SourceKind {
    /// A shop's own money (orders, statements, payouts), synced from its channel.
    Shop,
    /// An ad account's spend, synced from its ad platform.
    AdAccount,
    /// Statements imported from files (no sync).
    Import,
}

text_enum! {
    /// How a source is: its sync job's state while its grant works, else its grant's status;
    /// IMPORTED for files.
    SourceState {
        /// Synced, waiting for its next run.
        Idle = "IDLE",
        /// Syncing now.
        Running = "RUNNING",
        /// Its last sync failed; retried.
        Failed = "FAILED",
        /// Its sync is stopped until someone acts.
        Paused = "PAUSED",
        /// The channel refused its grant: the seller must connect again.
        NeedsReauth = "NEEDS_REAUTH",
        /// The seller removed the app on the channel's side.
        Deauthorized = "DEAUTHORIZED",
        /// Statements imported from files (no sync).
        Imported = "IMPORTED",
    }
}

impl SourceState {
    /// The state of a synced source: its job's while `grant` works, else the grant's.
    pub fn synced(grant: ShopStatus, job: SyncState) -> Self {
        match (grant, job) {
            (ShopStatus::Active, SyncState::Idle) => Self::Idle,
            (ShopStatus::Active, SyncState::Running) => Self::Running,
            (ShopStatus::Active, SyncState::Failed) => Self::Failed,
            (ShopStatus::Active, SyncState::Paused) => Self::Paused,
            (ShopStatus::NeedsReauth, _) => Self::NeedsReauth,
            (ShopStatus::Deauthorized, _) => Self::Deauthorized,
        }
    }
}

/// One source of the ledger and how far it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// What it is.
    pub kind: SourceKind,
    /// Its channel.
    pub channel: Channel,
    /// The shop it is, or the shop its spend belongs to.
    pub shop_id: Option<i64>,
    /// Shop or ad account name.
    pub name: String,
    /// How it is.
    pub state: SourceState,
    /// When it last synced well (none for imports or before the first sync).
    pub last_success_at: Option<DateTime<Utc>>,
    /// The latest day (org time zone) its data reaches.
    pub covered_through: Option<NaiveDate>,
    /// Why it makes the answer incomplete, in words; none when it is complete for the range.
    pub gap: Option<String>,
}

/// The sources of one answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completeness {
    /// False when any source is paused, failed, needs re-authorisation, or has not covered the
    /// range's end (or today, for a range that ends later).
    pub complete: bool,
    /// Every source that feeds the org's ledger (or the filtered channel / shop).
    pub sources: Vec<Source>,
}

/// Which sources count: all, or those of one channel or shop.
#[derive(Clone, Copy, Debug, Default)]
pub struct SourceFilter {
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only this shop (and the ad accounts linked to it).
    pub shop_id: Option<i64>,
}

/// The completeness of `org_id`'s ledger for a range ending on `to` (a day in `zone`), with the
/// org's report `version` as the caller read it ([`super::ReportCache::version`]).
///
/// # Errors
/// Database failures, or a stored channel the code does not know.
pub async fn completeness(
    db: &impl ConnectionTrait,
    reports: &super::ReportCache,
    org_id: i64,
    version: Option<super::Version>,
    zone: chrono_tz::Tz,
    to: NaiveDate,
    filter: SourceFilter,
) -> Result<Completeness> {
    let today = Utc::now().with_timezone(&zone).date_naive();
    let end = to.min(today);
    // The shops and ad accounts from memory under the org's report version (their triggers
    // move it), the sync jobs under its jobs' version.
    let (known, jobs) = tokio::try_join!(
        reports.sources_at(db, org_id, version),
        reports.jobs_at(db, org_id, version),
    )?;
    let (shops, accounts) = (&known.shops, &known.accounts);
    // Only shops without a sync job (statement imports) are dated by their ledger.
    let imported = shops
        .iter()
        .any(|shop| jobs.iter().all(|job| job.shop_id != shop.id));
    let last_days = if imported {
        reports.last_days_at(db, org_id, version).await?
    } else {
        std::sync::Arc::default()
    };

    let mut sources = Vec::new();
    for job in jobs.iter() {
        let shop = shops.iter().find(|shop| shop.id == job.shop_id);
        let Some(shop) = shop else { continue };
        let covered_through = job
            .cursor
            .as_deref()
            .and_then(|cursor| DateTime::parse_from_rfc3339(cursor).ok())
            .map(|at| at.with_timezone(&zone).date_naive());
        let Some((_, target)) = Registry::builtin().stream(&job.stream) else {
            continue;
        };
        let (kind, channel, name, grant) = if let StreamTarget::AdAccount { advertiser_id } = target
        {
            let account = accounts.iter().find(|account| {
                account.shop_id == Some(shop.id) && account.advertiser_id == advertiser_id
            });
            match account {
                Some(account) => (
                    SourceKind::AdAccount,
                    shop.channel.parse::<Channel>()?,
                    account.name.clone(),
                    account.status.parse::<ShopStatus>()?,
                ),
                None => continue,
            }
        } else {
            (
                SourceKind::Shop,
                shop.channel.parse::<Channel>()?,
                shop.name.clone(),
                shop.status.parse::<ShopStatus>()?,
            )
        };
        let state = SourceState::synced(grant, job.state.parse()?);
        let gap = gap(state, job.last_error.as_deref(), covered_through, end);
        sources.push(Source {
            kind,
            channel,
            shop_id: Some(shop.id),
            name,
            state,
            last_success_at: job.last_success_at,
            covered_through,
            gap,
        });
    }
    for shop in shops
        .iter()
        .filter(|shop| jobs.iter().all(|job| job.shop_id != shop.id))
    {
        let covered_through = last_days
            .iter()
            .find(|(shop_id, _)| *shop_id == shop.id)
            .and_then(|(_, day)| *day);
        let Some(covered) = covered_through else {
            continue;
        };
        sources.push(Source {
            kind: SourceKind::Import,
            channel: shop.channel.parse()?,
            shop_id: Some(shop.id),
            name: shop.name.clone(),
            state: SourceState::Imported,
            last_success_at: None,
            covered_through,
            gap: (covered < end).then(|| format!("imported data reaches {covered} only")),
        });
    }
    sources.retain(|source| {
        filter
            .channel
            .is_none_or(|channel| source.channel == channel)
            && filter.shop_id.is_none_or(|id| source.shop_id == Some(id))
    });
    Ok(Completeness {
        complete: sources.iter().all(|source| source.gap.is_none()),
        sources,
    })
}

/// Why a synced source leaves the range incomplete, if it does.
fn gap(
    state: SourceState,
    last_error: Option<&str>,
    covered: Option<NaiveDate>,
    end: NaiveDate,
) -> Option<String> {
    let reach = covered.map_or_else(|| "no day yet".to_owned(), |day| format!("up to {day}"));
    match state {
        SourceState::Idle | SourceState::Running => match covered {
            Some(day) if day >= end => None,
            _ => Some(format!("synced {reach}, not yet to {end}")),
        },
        other => Some(match last_error {
            Some(error) => format!("{other} (synced {reach}): {error}"),
            None => format!("{other} (synced {reach})"),
        }),
    }
}

/// What completeness reads of an org's shops and ad accounts (the report cache keeps it by
/// report version: see [`super::ReportCache::sources_at`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    shops: Vec<SourceShop>,
    accounts: Vec<SourceAccount>,
}

#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
struct SourceShop {
    id: i64,
    channel: String,
    name: String,
    status: String,
}

#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
struct SourceAccount {
    shop_id: Option<i64>,
    advertiser_id: String,
    name: String,
    status: String,
}

/// `org_id`'s shops (by id) and ad accounts, as completeness reads them.
pub(super) async fn sources(db: &impl ConnectionTrait, org_id: i64) -> Result<Sources> {
    let (shops, accounts) = tokio::try_join!(
        shop::Entity::find()
            .select_only()
            .columns([
                shop::Column::Id,
                shop::Column::Channel,
                shop::Column::Name,
                shop::Column::Status,
            ])
            .filter(shop::Column::OrgId.eq(org_id))
            .order_by_asc(shop::Column::Id)
            .into_model::<SourceShop>()
            .all(db),
        ad_account::Entity::find()
            .select_only()
            .columns([
                ad_account::Column::ShopId,
                ad_account::Column::AdvertiserId,
                ad_account::Column::Name,
                ad_account::Column::Status,
            ])
            .filter(ad_account::Column::OrgId.eq(org_id))
            .order_by_asc(ad_account::Column::Id)
            .into_model::<SourceAccount>()
            .all(db),
    )?;
    Ok(Sources { shops, accounts })
}

/// What completeness reads of a sync job (the columns whose change moves the jobs' version,
/// migration `m20261212_000001`).
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct Job {
    shop_id: i64,
    stream: String,
    cursor: Option<String>,
    state: String,
    last_success_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

/// `org_id`'s sync jobs, by id, as completeness reads them (the report cache keeps them by the
/// jobs' version: see [`super::ReportCache::jobs_at`]).
pub(super) async fn jobs(db: &impl ConnectionTrait, org_id: i64) -> Result<Vec<Job>> {
    Ok(sync_state::Entity::find()
        .select_only()
        .columns([
            sync_state::Column::ShopId,
            sync_state::Column::Stream,
            sync_state::Column::Cursor,
            sync_state::Column::State,
            sync_state::Column::LastSuccessAt,
            sync_state::Column::LastError,
        ])
        .filter(sync_state::Column::OrgId.eq(org_id))
        .order_by_asc(sync_state::Column::Id)
        .into_model::<Job>()
        .all(db)
        .await?)
}

/// The latest day with sums of each shop of `org_id` (none for a shop without any). Each is
/// one backward step of `uq_ledger_day_key` (org_id, day, …, shop_id, …) to the shop's newest
/// row — 0.01 ms on SQLite and ~0.5 ms on PostgreSQL for the bench brand's three shops, where
/// grouping the org's `ledger_day` by shop took 4–8 ms; a shop without sums walks the org's
/// range of the index. The report cache keeps it by report version too (see
/// [`super::ReportCache::last_days`]).
pub(super) async fn last_days(
    db: &impl ConnectionTrait,
    org_id: i64,
) -> Result<Vec<(i64, Option<NaiveDate>)>> {
    Ok(shop::Entity::find()
        .select_only()
        .column(shop::Column::Id)
        .column_as(
            Expr::cust(
                "(SELECT MAX(d.day) FROM ledger_day d \
                 WHERE d.org_id = shop.org_id AND d.shop_id = shop.id)",
            ),
            "last_day",
        )
        .filter(shop::Column::OrgId.eq(org_id))
        .order_by_asc(shop::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_source_is_complete_only_when_healthy_and_past_the_end() {
        let end = day("2026-01-31");
        assert_eq!(
            gap(SourceState::Idle, None, Some(day("2026-02-01")), end),
            None
        );
        assert_eq!(gap(SourceState::Running, None, Some(end), end), None);
        assert_eq!(
            gap(SourceState::Idle, None, Some(day("2026-01-20")), end).as_deref(),
            Some("synced up to 2026-01-20, not yet to 2026-01-31")
        );
        assert_eq!(
            gap(SourceState::Running, None, None, end).as_deref(),
            Some("synced no day yet, not yet to 2026-01-31")
        );
        assert_eq!(
            gap(
                SourceState::Paused,
                Some("grant revoked"),
                Some(day("2026-02-02")),
                end
            )
            .as_deref(),
            Some("PAUSED (synced up to 2026-02-02): grant revoked")
        );
    }

    #[test]
    fn every_source_state_round_trips_and_a_lost_grant_wins_over_the_job() {
        for state in SourceState::ALL {
            assert_eq!(state.as_str().parse::<SourceState>().unwrap(), *state);
        }
        assert_eq!(
            SourceState::synced(ShopStatus::Active, SyncState::Failed),
            SourceState::Failed
        );
        assert_eq!(
            SourceState::synced(ShopStatus::NeedsReauth, SyncState::Idle),
            SourceState::NeedsReauth
        );
    }
}
