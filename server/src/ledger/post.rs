//! Idempotent, append-only posting of normalised lines.
//!
//! For each line, the current state of its entry key is the row with the highest `seq`, unless
//! that row is a reversal. Posting a line whose key is current with the same content changes
//! nothing; with different content it appends a reversal of the current row and then the new
//! row. Nothing is ever updated or deleted. One call is one transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};
use entities::ledger_entry;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use super::content::{content_hash, key_hash};
use super::current::{current_rows, rows_by_id, Current, CHUNK};
use super::dictionary::{self, Dictionary, Names};
use super::packed_key::{self, KeyParts};
use super::raw::{self, Raw};
use super::{Channel, EntryStatus, FeeBucket};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::money::Money;

/// One money component of one source line, as a normaliser produces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLine {
    /// Derived from channel identifiers (statement + transaction + component); stable across
    /// re-syncs, re-imports and replays.
    pub entry_key: String,
    /// The channel account.
    pub shop_id: Option<i64>,
    /// The channel.
    pub channel: Channel,
    /// The channel's order id.
    pub order_id: Option<String>,
    /// The order line (SKU row) within the order.
    pub order_line: Option<String>,
    /// The channel SKU.
    pub listing_id: Option<i64>,
    /// The master product.
    pub product_id: Option<i64>,
    /// The channel's product id, for a line tied to a product but to no SKU (ad spend per
    /// product): when the product is not known yet, [`attribute`] moves the line onto it later.
    pub channel_product_id: Option<String>,
    /// The creator who drove the sale.
    pub creator_id: Option<i64>,
    /// Where the amount is booked.
    pub bucket: FeeBucket,
    /// The channel's own field or fee label.
    pub label: String,
    /// False when `label` was not found in any mapping (so `bucket` is OTHER).
    pub mapped: bool,
    /// Signed: positive is money to the seller.
    pub amount: Money,
    /// Units (sold on a sale line, returned on a refund line); 0 for fees.
    pub quantity: i32,
    /// When the money event happened.
    pub occurred_at: DateTime<Utc>,
    /// Estimate or settled.
    pub status: EntryStatus,
    /// The statement, settlement or payout it belongs to.
    pub payout_id: Option<i64>,
    /// What kind of source produced it.
    pub source_kind: String,
    /// The source's id.
    pub source_id: String,
}

/// What one call to [`post`] writes.
#[derive(Clone, Debug, Default)]
pub struct PostRequest {
    /// What the lines were derived from (a payload is stored first), linked from new rows.
    pub raw: Option<Raw>,
    /// The lines.
    pub lines: Vec<NewLine>,
    /// Keys whose current line must be reversed without replacement (an estimate that the
    /// settlement replaces, a line a restated statement dropped).
    pub retire: Vec<String>,
}

/// What a posting did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PostOutcome {
    /// The stored raw record, when one was given.
    pub raw_record_id: Option<i64>,
    /// Lines whose key was new.
    pub inserted: usize,
    /// Lines already current with the same content (replays).
    pub unchanged: usize,
    /// Lines whose key was current with other content: reversed and re-posted.
    pub corrected: usize,
    /// Keys retired by reversal.
    pub retired: usize,
}

/// Posts `request` for `org_id` in one transaction.
///
/// # Errors
/// A request that repeats one key with different content, an amount that does not fit the
/// database, or a database failure; nothing is written then.
pub async fn post(db: &Db, org_id: i64, request: PostRequest) -> Result<PostOutcome> {
    let txn = db.begin_write().await?;
    let outcome = post_in(&*txn, org_id, request).await?;
    txn.commit().await?;
    db.wrote(outcome.inserted + 2 * outcome.corrected + outcome.retired)
        .await;
    Ok(outcome)
}

/// Posts `request` inside a transaction the caller owns (and commits).
///
/// # Errors
/// As [`post`].
pub async fn post_in(
    txn: &impl ConnectionTrait,
    org_id: i64,
    request: PostRequest,
) -> Result<PostOutcome> {
    let lines = dedupe(request.lines)?;
    let now = written_at();
    let raw_record_id = match &request.raw {
        Some(Raw::New(raw)) => Some(raw::store(txn, org_id, raw, now).await?),
        Some(Raw::Stored(id)) => Some(*id),
        None => None,
    };
    let mut outcome = PostOutcome {
        raw_record_id,
        ..PostOutcome::default()
    };
    let stamp = Stamp {
        org_id,
        raw_record_id: outcome.raw_record_id,
        now,
        zone: org_time_zone(txn, org_id).await?,
        source_kinds: dictionary::ids(
            txn,
            Dictionary::SourceKinds,
            org_id,
            lines.iter().map(|line| line.source_kind.as_str()),
        )
        .await?,
        labels: dictionary::ids(
            txn,
            Dictionary::Labels,
            org_id,
            lines.iter().map(|line| line.label.as_str()),
        )
        .await?,
    };

    let keys: Vec<&str> = lines
        .iter()
        .map(|line| line.entry_key.as_str())
        .chain(request.retire.iter().map(String::as_str))
        .collect();
    let current = current_rows(txn, org_id, &keys).await?;

    // Decided once per line from its key's current state; then the full rows of what is
    // reversed (corrections and retirements) are fetched by id, and the rows written.
    let mut plan = Vec::with_capacity(lines.len());
    for line in &lines {
        let hash = content_hash(line)?;
        let action = match current.get(line.entry_key.as_str()) {
            Some(Current {
                live: Some(head), ..
            }) if head.content_hash == hash => Action::Unchanged,
            Some(Current {
                live: Some(head),
                last_seq,
            }) => Action::Correct {
                reversed: head.id,
                seq: last_seq + 1,
            },
            Some(Current {
                live: None,
                last_seq,
            }) => Action::Insert { seq: last_seq + 1 },
            None => Action::Insert { seq: 1 },
        };
        plan.push((line, hash, action));
    }
    // A retired key that is also posted is posted, not retired.
    let posted: HashSet<&str> = lines.iter().map(|line| line.entry_key.as_str()).collect();
    let retired: Vec<(i64, i32)> = request
        .retire
        .iter()
        .filter(|key| !posted.contains(key.as_str()))
        .filter_map(|key| match current.get(key.as_str()) {
            Some(Current {
                live: Some(head),
                last_seq,
            }) => Some((head.id, last_seq + 1)),
            _ => None,
        })
        .collect();
    let reversed: Vec<i64> = plan
        .iter()
        .filter_map(|(_, _, action)| match action {
            Action::Correct { reversed, .. } => Some(*reversed),
            _ => None,
        })
        .chain(retired.iter().map(|(id, _)| *id))
        .collect();
    let full = rows_by_id(txn, org_id, &reversed).await?;
    let row_of = |id: i64| {
        full.get(&id).ok_or_else(|| {
            Error::from(anyhow::anyhow!(
                "ledger row {id} vanished during its posting"
            ))
        })
    };

    let mut rows = Vec::new();
    for (line, hash, action) in plan {
        match action {
            Action::Unchanged => outcome.unchanged += 1,
            Action::Correct { reversed, seq } => {
                rows.push(reversal(row_of(reversed)?, seq, now));
                rows.push(new_row(&stamp, line, hash, seq + 1)?);
                outcome.corrected += 1;
            }
            Action::Insert { seq } => {
                rows.push(new_row(&stamp, line, hash, seq)?);
                outcome.inserted += 1;
            }
        }
    }
    for (reversed, seq) in retired {
        rows.push(reversal(row_of(reversed)?, seq, now));
        outcome.retired += 1;
    }
    super::bulk::insert_models(txn, &rows).await?;
    // The daily sums move with the rows, in the same transaction.
    super::rollup::apply(txn, &rows).await?;
    Ok(outcome)
}

/// What posting does with one line, decided from its key's current state.
enum Action {
    /// The key's live row has the same content: a replay.
    Unchanged,
    /// The key's live row `reversed` differs: its reversal at `seq`, the line at `seq + 1`.
    Correct { reversed: i64, seq: i32 },
    /// No live row: the line at `seq`.
    Insert { seq: i32 },
}

/// The channel product ids of `shop_id`'s current lines that still wait for their product.
///
/// # Errors
/// Database failures.
pub async fn unattributed_products(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: i64,
) -> Result<Vec<String>> {
    let ids: Vec<Option<String>> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::ChannelProductId)
        .distinct()
        .filter(ledger_entry::Column::OrgId.eq(org_id))
        .filter(ledger_entry::Column::ShopId.eq(shop_id))
        .filter(ledger_entry::Column::ProductId.is_null())
        .filter(ledger_entry::Column::ChannelProductId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().flatten().collect())
}

/// Moves `shop_id`'s current lines that were posted before their product was known onto it:
/// `products` maps a channel product id to its master product. Each line is corrected like any
/// other — a reversal and a copy that carries the product — so the sums per product move, the
/// totals stay, and the trail shows when it happened. Returns how many lines moved.
///
/// # Errors
/// Database failures.
pub async fn attribute(
    txn: &impl ConnectionTrait,
    org_id: i64,
    shop_id: i64,
    products: &HashMap<String, i64>,
) -> Result<usize> {
    if products.is_empty() {
        return Ok(0);
    }
    let mut waiting = Vec::new();
    let ids: Vec<&str> = products.keys().map(String::as_str).collect();
    for chunk in ids.chunks(CHUNK) {
        waiting.extend(
            ledger_entry::Entity::find()
                .filter(ledger_entry::Column::OrgId.eq(org_id))
                .filter(ledger_entry::Column::ShopId.eq(shop_id))
                .filter(ledger_entry::Column::ProductId.is_null())
                .filter(ledger_entry::Column::ChannelProductId.is_in(chunk.iter().copied()))
                .filter(ledger_entry::Column::ReversalOf.is_null())
                .all(txn)
                .await?,
        );
    }
    let names = Names::of(txn, org_id, &waiting).await?;
    let keys = waiting
        .iter()
        .map(|row| names.entry_key(row))
        .collect::<Result<Vec<_>>>()?;
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let current = current_rows(txn, org_id, &keys).await?;
    let now = written_at();
    let mut rows = Vec::new();
    let waiting: HashMap<i64, &ledger_entry::Model> =
        waiting.iter().map(|row| (row.id, row)).collect();
    for key in current.keys() {
        let Some(Current {
            live: Some(head),
            last_seq,
        }) = current.get(key)
        else {
            continue;
        };
        // A live row that waits for its product is one of `waiting`.
        let Some(row) = waiting.get(&head.id) else {
            continue;
        };
        let product = row
            .channel_product_id
            .as_ref()
            .and_then(|id| products.get(id));
        let (Some(&product), None) = (product, row.product_id) else {
            continue;
        };
        rows.push(reversal(row, last_seq + 1, now));
        let mut moved: ledger_entry::ActiveModel = (*row).clone().into();
        moved.id = sea_orm::ActiveValue::NotSet;
        moved.seq = Set(last_seq + 2);
        moved.product_id = Set(Some(product));
        moved.created_at = Set(now);
        rows.push(moved);
    }
    super::bulk::insert_models(txn, &rows).await?;
    super::rollup::apply(txn, &rows).await?;
    Ok(rows.len() / 2)
}

/// Drops exact repeats within one request; a key repeated with other content is an error.
fn dedupe(lines: Vec<NewLine>) -> Result<Vec<NewLine>> {
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(lines.len());
    let mut unique: Vec<NewLine> = Vec::with_capacity(lines.len());
    for line in lines {
        match seen.get(&line.entry_key) {
            Some(&index) if unique[index] == line => {}
            Some(_) => {
                return Err(Error::bad_input(format!(
                    "entry key {:?} appears twice in one posting with different content",
                    line.entry_key
                )))
            }
            None => {
                seen.insert(line.entry_key.clone(), unique.len());
                unique.push(line);
            }
        }
    }
    Ok(unique)
}

/// What every row written by one posting shares.
struct Stamp {
    org_id: i64,
    raw_record_id: Option<i64>,
    now: DateTime<Utc>,
    /// The org's time zone, for the row's `day`.
    zone: chrono_tz::Tz,
    /// The ids of the lines' source kinds.
    source_kinds: HashMap<String, i64>,
    /// The ids of the lines' labels.
    labels: HashMap<String, i64>,
}

/// The org's time zone (UTC when it names none this build knows).
async fn org_time_zone(db: &impl ConnectionTrait, org_id: i64) -> Result<chrono_tz::Tz> {
    let zone = entities::org::Entity::find_by_id(org_id)
        .one(db)
        .await?
        .map(|org| org.time_zone);
    Ok(zone
        .and_then(|zone| zone.parse().ok())
        .unwrap_or(chrono_tz::UTC))
}

fn new_row(
    stamp: &Stamp,
    line: &NewLine,
    content_hash: Vec<u8>,
    seq: i32,
) -> Result<ledger_entry::ActiveModel> {
    Ok(ledger_entry::ActiveModel {
        org_id: Set(stamp.org_id),
        shop_id: Set(line.shop_id),
        channel: Set(line.channel.code()),
        packed_key: Set(packed_key::pack(
            &line.entry_key,
            KeyParts {
                source_id: &line.source_id,
                order_id: line.order_id.as_deref(),
                order_line: line.order_line.as_deref(),
                label: &line.label,
            },
        )),
        key_hash: Set(key_hash(&line.entry_key)),
        seq: Set(seq),
        reversal_of: Set(None),
        content_hash: Set(content_hash),
        order_id: Set(line.order_id.clone()),
        order_line: Set(line.order_line.clone()),
        listing_id: Set(line.listing_id),
        product_id: Set(line.product_id),
        channel_product_id: Set(line.channel_product_id.clone()),
        creator_id: Set(line.creator_id),
        bucket: Set(line.bucket.code()),
        label_id: Set(*stamp.labels.get(&line.label).ok_or_else(|| {
            anyhow::anyhow!("label {:?} was not added to the dictionary", line.label)
        })?),
        mapped: Set(line.mapped),
        amount_minor: Set(line.amount.minor()?),
        currency: Set(line.amount.currency().as_str().to_owned()),
        quantity: Set(line.quantity),
        occurred_at: Set(super::time::stored(line.occurred_at)),
        status: Set(line.status.code()),
        payout_id: Set(line.payout_id),
        source_kind_id: Set(*stamp.source_kinds.get(&line.source_kind).ok_or_else(|| {
            anyhow::anyhow!(
                "source kind {:?} was not added to the dictionary",
                line.source_kind
            )
        })?),
        source_id: Set(line.source_id.clone()),
        raw_record_id: Set(stamp.raw_record_id),
        created_at: Set(stamp.now),
        day: Set(Some(super::time::day_number(
            line.occurred_at.with_timezone(&stamp.zone).date_naive(),
        ))),
        ..Default::default()
    })
}

/// When rows written now were written: to the second (SQLite keeps the time as text on every
/// line, and the nanoseconds were a tenth of a row's text).
pub(super) fn written_at() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

/// A row that cancels `row` exactly. It keeps the reversed row's date, so the period the money
/// was booked in is restated, while `created_at` records when the correction happened.
pub(super) fn reversal(
    row: &ledger_entry::Model,
    seq: i32,
    now: DateTime<Utc>,
) -> ledger_entry::ActiveModel {
    let mut reversed = ledger_entry::ActiveModel {
        seq: Set(seq),
        reversal_of: Set(Some(row.id)),
        amount_minor: Set(-row.amount_minor),
        quantity: Set(-row.quantity),
        created_at: Set(now),
        ..row.clone().into()
    };
    reversed.id = sea_orm::ActiveValue::NotSet;
    reversed
}
