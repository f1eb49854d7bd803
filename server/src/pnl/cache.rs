//! Exact answers of the pivot kept in memory: a dashboard asks the same month's report again and
//! again, and between two postings the answer cannot change.
//!
//! An answer is keyed by the org, the whole request and the org's report version
//! (`report_version`, migration `m20261206_000001`), which moves in the same transaction as any
//! change to what [`report`] reads: the ledger's sums (moved by the ledger module once per
//! posting), the org's settings, shops' names, creators, products, unit costs, listings and FX
//! rates (moved by triggers on those tables). So a cached answer is the answer [`report`] would
//! give now: a change makes every older key unreachable, and those entries age out of the
//! cache's memory budget (`graphql.report_cache_rows`, in report rows over every org).
//!
//! Reading the version costs one query per answer (two primary-key lookups: the report version
//! and the jobs' version below; its report and its completeness share it:
//! [`ReportCache::version`], then the `*_at` reads). The version is read before the
//! report, so an answer stored under a version reflects that version's data or newer data,
//! never older. An org without a version row is never cached.
//!
//! What every answer's completeness reads of the org's sources is kept the same way: its shops
//! and ad accounts (whose triggers move the version, migration `m20261208_000001`), each
//! imported shop's latest day, and its sync jobs — by a counter of their own, read with the
//! version (`sync_jobs_version`, migration `m20261212_000001`): jobs move on their own clock (a
//! running sync moves its cursor every page), and a report's answer does not read them.

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use sea_orm::{ConnectionTrait, Statement};

use super::completeness::{Job, Sources};
use super::{report, PnlReport, PnlRequest};
use crate::error::Result;

/// Each shop's latest day with sums: (shop id, day).
pub type LastDays = Arc<Vec<(i64, Option<NaiveDate>)>>;

/// An org's sync jobs, by id, as completeness reads them.
pub type Jobs = Arc<Vec<Job>>;

/// An org's report and jobs' versions, read once per answer ([`ReportCache::version`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version {
    /// Moves with everything a report or its completeness reads, but the sync jobs.
    report: i64,
    /// Moves with the sync jobs.
    jobs: i64,
}

/// A kept answer, with what a caller derives from it once (the API's form of its rows, made
/// by the GraphQL layer) kept alongside, so a repeated answer is neither copied nor converted
/// again. The derived form is not weighed: it is one more copy of the rows the answer weighs.
#[derive(Debug)]
pub struct Answer {
    report: PnlReport,
    derived: OnceLock<Arc<dyn Any + Send + Sync>>,
}

impl Answer {
    fn new(report: PnlReport) -> Self {
        Self {
            report,
            derived: OnceLock::new(),
        }
    }

    /// The report.
    #[must_use]
    pub fn report(&self) -> &PnlReport {
        &self.report
    }

    /// `make(report)`, made once per answer and kept with it (made again, and not kept, when a
    /// caller asks for another type than the one kept).
    ///
    /// # Errors
    /// What `make` fails with (a failure is not kept).
    pub fn derived<T: Any + Send + Sync>(
        &self,
        make: impl FnOnce(&PnlReport) -> Result<T>,
    ) -> Result<Arc<T>> {
        if let Some(kept) = self.derived.get() {
            if let Ok(kept) = Arc::clone(kept).downcast::<T>() {
                return Ok(kept);
            }
            return Ok(Arc::new(make(&self.report)?));
        }
        let made = Arc::new(make(&self.report)?);
        // Refused only when another caller set it meanwhile: theirs is kept, ours is the same.
        let _ = self
            .derived
            .set(Arc::clone(&made) as Arc<dyn Any + Send + Sync>);
        Ok(made)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    org_id: i64,
    version: i64,
    request: PnlRequest,
}

/// An answer weighs its rows (plus one for the total).
#[derive(Clone, Copy, Debug)]
struct Rows;

impl Weighter<Key, Arc<Answer>> for Rows {
    fn weight(&self, _key: &Key, answer: &Arc<Answer>) -> u64 {
        u64::try_from(answer.report.rows.len()).unwrap_or(u64::MAX) + 1
    }
}

/// How often the cache answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Answers served from memory.
    pub hits: u64,
    /// Answers computed (and kept).
    pub misses: u64,
}

/// The report cache (see the module documentation). Cheap to share behind an `Arc`.
pub struct ReportCache {
    entries: Option<Cache<Key, Arc<Answer>, Rows>>,
    /// Each shop's latest day with sums, by org and version (see [`Self::last_days`]).
    last_days: Option<Cache<(i64, i64), LastDays>>,
    /// The org's shops and ad accounts as completeness reads them, by org and version.
    sources: Option<Cache<(i64, i64), Arc<Sources>>>,
    /// The org's sync jobs, by org and jobs' version.
    jobs: Option<Cache<(i64, i64), Jobs>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for ReportCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportCache")
            .field("enabled", &self.entries.is_some())
            .field("stats", &self.stats())
            .finish()
    }
}

impl ReportCache {
    /// A cache holding at most about `max_rows` report rows; 0 keeps nothing (every report is
    /// computed).
    #[must_use]
    pub fn new(max_rows: u64) -> Self {
        let entries = (max_rows > 0).then(|| {
            // Estimated entries: a month's per-SKU report has a few hundred rows.
            let estimated = usize::try_from(max_rows / 100).unwrap_or(1).max(16);
            Cache::with_weighter(estimated, max_rows, Rows)
        });
        Self {
            last_days: (max_rows > 0).then(|| Cache::new(1_000)),
            sources: (max_rows > 0).then(|| Cache::new(1_000)),
            jobs: (max_rows > 0).then(|| Cache::new(1_000)),
            entries,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The pivot for `org_id`, from memory when the org's data has not changed since it was
    /// last computed.
    ///
    /// # Errors
    /// What [`report`] fails with (failures are not kept).
    pub async fn report(
        &self,
        db: &impl ConnectionTrait,
        org_id: i64,
        request: &PnlRequest,
    ) -> Result<PnlReport> {
        let version = self.version(db, org_id).await?;
        Ok(self
            .report_at(db, org_id, version, request)
            .await?
            .report
            .clone())
    }

    /// [`Self::report`] under a `version` read by [`Self::version`] before (so an answer's
    /// completeness can share the read).
    ///
    /// # Errors
    /// What [`report`] fails with (failures are not kept).
    pub async fn report_at(
        &self,
        db: &impl ConnectionTrait,
        org_id: i64,
        version: Option<Version>,
        request: &PnlRequest,
    ) -> Result<Arc<Answer>> {
        let key = version.map(|version| Key {
            org_id,
            version: version.report,
            request: request.clone(),
        });
        let compute = || async { Ok(Arc::new(Answer::new(report(db, org_id, request).await?))) };
        let (answer, found) = kept(self.entries.as_ref(), key, compute).await?;
        let counter = match found {
            Found::Memory => Some(&self.hits),
            Found::Computed => Some(&self.misses),
            Found::Uncached => None,
        };
        if let Some(counter) = counter {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        Ok(answer)
    }

    /// `org_id`'s report version, when answers are kept (none: the cache is off, or the org has
    /// no version row); read once, it keys each of the `*_at` reads of one answer.
    ///
    /// # Errors
    /// Database failures.
    pub async fn version(&self, db: &impl ConnectionTrait, org_id: i64) -> Result<Option<Version>> {
        if self.entries.is_none() {
            return Ok(None);
        }
        version(db, org_id).await
    }

    /// Each shop's latest day with sums in `org_id`'s ledger, which the completeness of every
    /// answer reads (one index step per shop, see `completeness::last_days`), kept like a report
    /// until the org's version moves.
    ///
    /// # Errors
    /// Database failures.
    pub async fn last_days(&self, db: &impl ConnectionTrait, org_id: i64) -> Result<LastDays> {
        let version = self.version(db, org_id).await?;
        self.last_days_at(db, org_id, version).await
    }

    /// [`Self::last_days`] under a `version` read by [`Self::version`] before.
    ///
    /// # Errors
    /// Database failures.
    pub async fn last_days_at(
        &self,
        db: &impl ConnectionTrait,
        org_id: i64,
        version: Option<Version>,
    ) -> Result<LastDays> {
        let key = version.map(|version| (org_id, version.report));
        let compute = || async { Ok(Arc::new(super::completeness::last_days(db, org_id).await?)) };
        Ok(kept(self.last_days.as_ref(), key, compute).await?.0)
    }

    /// `org_id`'s shops and ad accounts as completeness reads them, under a `version` read by
    /// [`Self::version`] before.
    ///
    /// # Errors
    /// Database failures.
    pub async fn sources_at(
        &self,
        db: &impl ConnectionTrait,
        org_id: i64,
        version: Option<Version>,
    ) -> Result<Arc<Sources>> {
        let key = version.map(|version| (org_id, version.report));
        let compute = || async { Ok(Arc::new(super::completeness::sources(db, org_id).await?)) };
        Ok(kept(self.sources.as_ref(), key, compute).await?.0)
    }

    /// `org_id`'s sync jobs as completeness reads them, under a `version` read by
    /// [`Self::version`] before.
    ///
    /// # Errors
    /// Database failures.
    pub async fn jobs_at(
        &self,
        db: &impl ConnectionTrait,
        org_id: i64,
        version: Option<Version>,
    ) -> Result<Jobs> {
        let key = version.map(|version| (org_id, version.jobs));
        let compute = || async { Ok(Arc::new(super::completeness::jobs(db, org_id).await?)) };
        Ok(kept(self.jobs.as_ref(), key, compute).await?.0)
    }

    /// Hits and misses since the cache was made.
    #[must_use]
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

/// Where [`kept`]'s answer came from.
enum Found {
    /// Kept from an earlier computation under the same version.
    Memory,
    /// Computed now, and kept.
    Computed,
    /// Computed now and not kept: the cache is off, or the org has no version.
    Uncached,
}

/// The value of `key` in `cache`, or `compute`'s (kept under `key`); computed and not kept
/// without a cache or a key. One computation per key at a time: concurrent askers of the same
/// key wait for it. Failures are not kept.
async fn kept<K, V, W, Fut>(
    cache: Option<&Cache<K, V, W>>,
    key: Option<K>,
    compute: impl FnOnce() -> Fut,
) -> Result<(V, Found)>
where
    K: Clone + Eq + std::hash::Hash,
    V: Clone,
    W: Weighter<K, V> + Clone,
    Fut: std::future::Future<Output = Result<V>>,
{
    let (Some(cache), Some(key)) = (cache, key) else {
        return Ok((compute().await?, Found::Uncached));
    };
    match cache.get_value_or_guard_async(&key).await {
        Ok(found) => Ok((found, Found::Memory)),
        Err(guard) => {
            let value = compute().await?;
            // Refused only when the entry was placed meanwhile; the value is the same.
            let _ = guard.insert(value.clone());
            Ok((value, Found::Computed))
        }
    }
}

/// `org_id`'s report and jobs' versions, none when the org has no row.
async fn version(db: &impl ConnectionTrait, org_id: i64) -> Result<Option<Version>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT v.version, COALESCE((SELECT j.version FROM sync_jobs_version j \
         WHERE j.org_id = v.org_id), 0) AS jobs_version FROM report_version v WHERE v.org_id = {}",
        crate::db::placeholder(backend, 1)
    );
    let row = db
        .query_one(Statement::from_sql_and_values(
            backend,
            sql,
            [org_id.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(Version {
            report: row.try_get::<i64>("", "version")?,
            jobs: row.try_get::<i64>("", "jobs_version")?,
        }),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::money::Currency;
    use crate::pnl::{PnlKey, PnlRow};

    fn answer() -> Answer {
        let usd = Currency::parse("USD").unwrap();
        Answer::new(PnlReport {
            currency: usd,
            time_zone: "UTC".to_owned(),
            rows: vec![PnlRow::new(PnlKey::default(), usd)],
            total: PnlRow::new(PnlKey::default(), usd),
            fx_fallbacks: Vec::new(),
            missing_costs: Vec::new(),
            ad_allocation: "NONE".to_owned(),
        })
    }

    #[test]
    fn a_derived_form_is_made_once_per_answer_and_a_failure_is_not_kept() {
        let answer = answer();
        let made = AtomicUsize::new(0);
        let rows = |report: &PnlReport| {
            made.fetch_add(1, Ordering::Relaxed);
            Ok(report.rows.len())
        };
        assert!(answer
            .derived::<usize>(|_| Err(crate::error::Error::bad_input("no")))
            .is_err());
        let first = answer.derived(rows).unwrap();
        let second = answer.derived(rows).unwrap();
        assert!(Arc::ptr_eq(&first, &second), "the kept form is shared");
        assert_eq!((*first, made.load(Ordering::Relaxed)), (1, 1));
        // Another type is made again, and the kept one stays.
        assert_eq!(*answer.derived(|_| Ok("other")).unwrap(), "other");
        assert!(Arc::ptr_eq(&answer.derived(rows).unwrap(), &first));
        assert_eq!(made.load(Ordering::Relaxed), 1);
    }
}
