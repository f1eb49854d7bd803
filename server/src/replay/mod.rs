//! Replay: re-derives an org's ledger from its stored raw records through today's normalisers
//! (`pnl replay`), after an upgrade that fixes a normaliser or to check that nothing drifted.
//!
//! Each source (raw records share a source when they share `source_kind` and `source_id`; a
//! restated statement is a newer record of its source) is replayed once, from the version the
//! ledger last posted from, in the order the ledger last posted from them ([`select`]). Its connector reads the record again
//! ([`crate::connectors::Connector::replay`]; statement files through the mapping named by
//! their payout id) and the lines go through the same ingest as a sync: lines unchanged are
//! duplicates, changed lines are corrected (reversal + new line), lines the new reading no
//! longer has are retired by ingest's own rules. So a replay posts only the differences, and
//! replaying twice changes nothing the second time.
//!
//! A run records how far it got (`replay_run`) after every source, so a run that is killed
//! resumes after the last source it finished; a finished run of a scope is started over next
//! time.

mod select;

use select::{Source, Watermarks};
use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;

use chrono::{NaiveDate, Utc};
use entities::{raw_record, replay_run, shop};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::connectors::ingest::{ingest, Batch, IngestReport};
use crate::connectors::seam::{shop_currency, FileContext, Replayed, RunMemo};
use crate::connectors::{Normalized, Registry};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::mapping::FeeMapper;
use crate::ledger::raw::{self, Raw};
use crate::ledger::{elsewhere_candidates, held_elsewhere, Channel, Elsewhere};
use crate::statements::{self, StatementOptions};

/// What to replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    /// The org.
    pub org_id: i64,
    /// Only this channel's records.
    pub channel: Option<Channel>,
    /// Only sources received on or after this day (UTC), or whose lines fall on or after it.
    pub since: Option<NaiveDate>,
}

impl Scope {
    /// The run's stored name: a killed run resumes only under the same scope.
    fn key(&self) -> String {
        format!(
            "channel={} since={}",
            self.channel.map_or("ALL", Channel::as_str),
            self.since
                .map_or_else(|| "ALL".to_owned(), |day| day.to_string())
        )
    }
}

/// Where a run is, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Sources finished, this run and the killed runs it resumes.
    pub done: usize,
    /// Sources in the scope.
    pub total: usize,
}

/// What a replay did.
#[derive(Clone, Debug, Default)]
pub struct ReplayReport {
    /// Sources in the scope.
    pub sources: usize,
    /// Sources a killed earlier run had finished (skipped by this one).
    pub resumed: usize,
    /// Sources read again and posted through ingest.
    pub replayed: usize,
    /// Sources with no money of their own (webhooks that trigger a re-read, …), by kind.
    pub skipped: BTreeMap<String, usize>,
    /// Sources whose record alone does not hold what their lines came from, by kind, with
    /// what is missing: a sync of their shops re-derives them.
    pub needs_sync: BTreeMap<String, (usize, &'static str)>,
    /// What posting the readings did: duplicates are unchanged lines, the rest are the
    /// differences today's normalisers make.
    pub ingest: IngestReport,
    /// Sources that did not read, each named with its record and why (the ledger keeps their
    /// lines as they are).
    pub failures: Vec<String>,
    /// True when the caller stopped the run before its end (it resumes next time).
    pub stopped: bool,
}

/// Replays `scope`, telling `progress` after each source; a `Break` from it stops the run
/// where it is (the next run of the scope resumes there).
///
/// # Errors
/// Database failures. A source that does not read is a failure in the report, not an error.
pub async fn replay(
    db: &Db,
    scope: Scope,
    progress: &mut (dyn FnMut(Step) -> ControlFlow<()> + Send),
) -> Result<ReplayReport> {
    let mut run = open_run(db, scope).await?;
    let marks = Watermarks {
        raw: run.raw_watermark,
        ledger: run.ledger_watermark,
    };
    let sources = select::sources(db.conn(), scope, marks).await?;
    if run.total != i64::try_from(sources.len()).unwrap_or(i64::MAX) {
        let mut active: replay_run::ActiveModel = run.into();
        active.total = Set(i64::try_from(sources.len()).unwrap_or(i64::MAX));
        run = active.update(db.conn()).await?;
    }
    let resumed = usize::try_from(run.done).unwrap_or(0).min(sources.len());
    let mut report = ReplayReport {
        sources: sources.len(),
        resumed,
        ..ReplayReport::default()
    };
    let mut done = resumed;
    if progress(Step {
        done,
        total: sources.len(),
    })
    .is_break()
    {
        report.stopped = true;
        return Ok(report);
    }
    // Sources are read (fetched, decompressed, normalised) on another task, a few ahead of the
    // one being posted: reading is pure work on the record, posting is the database's, and the
    // two overlap. Posting stays in order, one source at a time.
    let reader = Reader::new(db.clone(), scope.org_id).await?;
    let (sender, mut reads) = tokio::sync::mpsc::channel(READ_AHEAD);
    let ahead = tokio::spawn(reader.run(sources.into_iter().skip(resumed), marks, sender));
    let _stop_reading = AbortOnDrop(ahead.abort_handle());
    while let Some(read) = reads.recv().await {
        let Read {
            source,
            record,
            reading,
            candidates,
        } = read?;
        let id = record.id;
        match reading {
            Ok((shop_id, Replayed::Lines(mut normalized))) => {
                report.ingest.superseded +=
                    later_sources_win(db, &record, &source, marks, &candidates, &mut normalized)
                        .await?;
                let channel: Channel = record.channel.parse()?;
                let batch = Batch {
                    channel,
                    shop_id,
                    source_kind: record.source_kind.clone(),
                    source_id: record.source_id.clone(),
                    raw: Some(Raw::Stored(id)),
                    normalized,
                };
                match ingest(db, scope.org_id, batch).await {
                    Ok(ingested) => {
                        report.ingest.absorb(ingested);
                        report.replayed += 1;
                    }
                    // An amount past the ledger's range, …: this source's lines stay as they
                    // were (its posting is one transaction); the others go on.
                    Err(error) if !error.is_internal() => report.failures.push(format!(
                        "raw record {id} ({} {}): {error}",
                        record.source_kind, record.source_id
                    )),
                    Err(error) => return Err(error),
                }
            }
            Ok((_, Replayed::NoMoney)) => {
                *report.skipped.entry(record.source_kind).or_default() += 1;
            }
            Ok((_, Replayed::NeedsSync(why))) => {
                report
                    .needs_sync
                    .entry(record.source_kind)
                    .or_insert((0, why))
                    .0 += 1;
            }
            Err(error) => report.failures.push(format!(
                "raw record {id} ({} {}): {error}",
                record.source_kind, record.source_id
            )),
        }
        done += 1;
        let mut active: replay_run::ActiveModel = run.clone().into();
        active.done = Set(i64::try_from(done).unwrap_or(i64::MAX));
        active.updated_at = Set(Utc::now());
        run = active.update(db.conn()).await?;
        if progress(Step {
            done,
            total: report.sources,
        })
        .is_break()
        {
            report.stopped = true;
            return Ok(report);
        }
    }
    // The channel closes when the reader has sent every source, or when it stopped: a panic
    // there is this run's error, not its end.
    ahead
        .await
        .map_err(|error| anyhow::anyhow!("the replay's reader stopped: {error}"))?;
    let mut active: replay_run::ActiveModel = run.into();
    active.finished_at = Set(Some(Utc::now()));
    active.update(db.conn()).await?;
    Ok(report)
}

/// Sources read ahead of the one being posted (each holds its normalised lines in memory).
const READ_AHEAD: usize = 2;

/// One source as read by [`Reader::run`].
struct Read {
    source: Source,
    record: raw_record::Model,
    /// Its shop and what it says today, or why it does not read.
    reading: Result<(i64, Replayed)>,
    /// The keys of its lines that a later source may hold ([`later_sources_win`] decides when
    /// it is posted; searched here, ahead, because most keys have no such row).
    candidates: Vec<String>,
}

/// Aborts the reader when the run returns early (an error, or the caller stopping it).
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Drops the lines of `normalized` whose key is held by a source that arrived after this one
/// (an Amazon settlement report restating a fee its event group listed): that source is
/// replayed later and would only restore its own version, so posting this one's would write a
/// correction and its undoing. Rows this run wrote (above the ledger watermark) came from
/// sources replayed before this one, so this one wins over them. Only `candidates` are looked
/// at: the keys [`elsewhere_candidates`] found when the source was read, a superset of those
/// held elsewhere now. Returns how many lines were dropped.
///
/// # Errors
/// Database failures.
async fn later_sources_win(
    db: &Db,
    record: &raw_record::Model,
    source: &Source,
    marks: Watermarks,
    candidates: &[String],
    normalized: &mut Normalized,
) -> Result<usize> {
    if candidates.is_empty() {
        return Ok(0);
    }
    let later = held_elsewhere(
        db.conn(),
        record.org_id,
        candidates,
        elsewhere(record, source, marks),
    )
    .await?;
    let before = normalized.lines.len();
    normalized
        .lines
        .retain(|line| !later.contains(&line.entry_key));
    Ok(before - normalized.lines.len())
}

/// Where a line of `record` must be held to yield to a later source ([`later_sources_win`]).
fn elsewhere<'a>(
    record: &raw_record::Model,
    source: &'a Source,
    marks: Watermarks,
) -> Elsewhere<'a> {
    Elsewhere {
        after_record: record.id,
        except: &source.versions,
        up_to_row: marks.ledger,
    }
}

/// The scope's unfinished run, or a new one (replacing a finished one) with today's
/// watermarks.
async fn open_run(db: &Db, scope: Scope) -> Result<replay_run::Model> {
    let key = scope.key();
    let existing = replay_run::Entity::find()
        .filter(replay_run::Column::OrgId.eq(scope.org_id))
        .filter(replay_run::Column::Scope.eq(key.as_str()))
        .one(db.conn())
        .await?;
    if let Some(run) = existing.as_ref().filter(|run| run.finished_at.is_none()) {
        return Ok(run.clone());
    }
    let marks = select::watermarks(db.conn(), scope.org_id).await?;
    let now = Utc::now();
    let mut run = replay_run::ActiveModel {
        org_id: Set(scope.org_id),
        scope: Set(key),
        raw_watermark: Set(marks.raw),
        ledger_watermark: Set(marks.ledger),
        done: Set(0),
        total: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    };
    Ok(match existing {
        Some(finished) => {
            run.id = Set(finished.id);
            run.update(db.conn()).await?
        }
        None => run.insert(db.conn()).await?,
    })
}

/// Reads records again, with what the org's imports and syncs read them under: its label
/// mapping, its channel settings and each shop's currency (loaded once per run).
struct Reader {
    db: Db,
    org_id: i64,
    registry: Registry,
    mapper: FeeMapper,
    settings: HashMap<Channel, HashMap<String, String>>,
    shops: HashMap<i64, shop::Model>,
    /// What connectors keep between the run's records.
    memo: RunMemo,
}

impl Reader {
    async fn new(db: Db, org_id: i64) -> Result<Self> {
        let mapper = FeeMapper::load(db.conn(), org_id).await?;
        Ok(Self {
            db,
            org_id,
            registry: Registry::builtin(),
            mapper,
            settings: HashMap::new(),
            shops: HashMap::new(),
            memo: RunMemo::default(),
        })
    }

    /// Reads `sources` in order into `out`, until they end, `out` closes, or a database
    /// failure (sent as the last item).
    async fn run(
        mut self,
        sources: impl Iterator<Item = Source> + Send,
        marks: Watermarks,
        out: tokio::sync::mpsc::Sender<Result<Read>>,
    ) {
        for source in sources {
            let read = match self.next(source, marks).await {
                // A record deleted since the list was made: nothing to read.
                Ok(None) => continue,
                Ok(Some(read)) => Ok(read),
                Err(error) => Err(error),
            };
            let failed = read.is_err();
            if out.send(read).await.is_err() || failed {
                return;
            }
        }
    }

    /// The record of `source` and what it says today.
    async fn next(&mut self, source: Source, marks: Watermarks) -> Result<Option<Read>> {
        let Some(record) = raw_record::Entity::find_by_id(source.record_id)
            .one(self.db.conn())
            .await?
        else {
            return Ok(None);
        };
        let reading = self.read(&record).await;
        let candidates = match &reading {
            Ok((_, Replayed::Lines(normalized))) => {
                let keys: Vec<&str> = normalized
                    .lines
                    .iter()
                    .map(|line| line.entry_key.as_str())
                    .collect();
                let elsewhere = elsewhere(&record, &source, marks);
                elsewhere_candidates(self.db.conn(), self.org_id, &keys, elsewhere).await?
            }
            _ => Vec::new(),
        };
        Ok(Some(Read {
            source,
            record,
            reading,
            candidates,
        }))
    }

    /// The record's shop and what the record says today.
    async fn read(&mut self, record: &raw_record::Model) -> Result<(i64, Replayed)> {
        let Some(shop_id) = record.shop_id else {
            return Ok((0, Replayed::NoMoney));
        };
        if !self.shops.contains_key(&shop_id) {
            let shop = shop::Entity::find_by_id(shop_id)
                .filter(shop::Column::OrgId.eq(self.org_id))
                .one(self.db.conn())
                .await?
                .ok_or_else(|| Error::bad_input(format!("its shop {shop_id} is gone")))?;
            self.shops.insert(shop_id, shop);
        }
        let shop = &self.shops[&shop_id];
        if record.source_kind == statements::post::SOURCE_KIND {
            let normalized = self.statement(record, shop).await?;
            return Ok((shop_id, Replayed::Lines(normalized)));
        }
        let channel: Channel = record.channel.parse()?;
        let connector = self.registry.channel(channel)?;
        if !self.settings.contains_key(&channel) {
            let settings =
                crate::connectors::settings::load(self.db.conn(), self.org_id, channel).await?;
            self.settings.insert(channel, settings);
        }
        let ctx = FileContext {
            mapper: &self.mapper,
            currency: shop_currency(shop).ok(),
            advertiser: None,
            time_zone: None,
            settings: &self.settings[&channel],
            memo: Some(&self.memo),
        };
        Ok((shop_id, connector.replay(&self.db, record, &ctx).await?))
    }

    /// A statement file, read through the mapping its payout id names (`NAME:…`): a built-in or
    /// one the org saved. A file imported with a mapping file that was never saved cannot be
    /// read again, and says so.
    async fn statement(
        &self,
        record: &raw_record::Model,
        shop: &shop::Model,
    ) -> Result<Normalized> {
        let name = record
            .source_id
            .split_once(':')
            .map_or(record.source_id.as_str(), |(name, _)| name);
        let mut mapping = statements::stored::find(self.db.conn(), self.org_id, name)
            .await
            .map_err(|error| {
                Error::bad_input(format!(
                    "its mapping {name:?} is neither built in nor saved for the org ({error}); \
                     save it with saveStatementMapping to replay it"
                ))
            })?;
        // The record holds the file's text, already decoded from the mapping's character set.
        mapping.mapping.file.encoding = "utf-8".to_owned();
        let options = StatementOptions {
            skip_bad_rows: true,
            shop: Some(shop.external_id.clone()),
        };
        let file = format!("raw record {}", record.id);
        let payload = raw::payload(record)?;
        let (booked, _) = statements::read_statement(
            payload.as_bytes(),
            &file,
            &mapping,
            &self.mapper,
            &options,
        )?;
        Ok(booked.normalized)
    }
}
