//! The SQL side of the pivot: one grouped query over the ledger's sums for an org and a day
//! range, read as [`super::plan`] decides, its columns as [`super::columns`] defines them.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, EntityTrait, Statement, Value};

use super::columns::{outer_sql, piece_list, read, Shape};
use super::fold::{self, fold, Aggregate};
use super::plan::{date_sql, Grain, Plan};
use super::PnlReport;
use crate::error::{Error, Result};
use crate::ledger::Channel;
use crate::money::Currency;

/// What rows of the pivot are keyed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
pub enum Dimension {
    /// The sales channel.
    Channel,
    /// The channel account.
    Shop,
    /// The master product's SKU, or the channel's own SKU id while unlinked.
    Sku,
    /// The master product.
    Product,
    /// The creator who drove the sale.
    Creator,
    /// The fee bucket.
    Bucket,
    /// The day (org time zone).
    Day,
    /// The ISO week (Monday first), as `2026-W05`.
    Week,
    /// The month, as `2026-01`.
    Month,
}

/// Which ledger lines count.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PnlFilter {
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only this shop (row id).
    pub shop_id: Option<i64>,
    /// Only this SKU (master SKU or channel SKU id).
    pub sku: Option<String>,
    /// Only this creator's handle.
    pub creator: Option<String>,
}

/// A pivot request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PnlRequest {
    /// First day (inclusive, org time zone).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Row keys.
    pub group_by: Vec<Dimension>,
    /// Line filter.
    pub filter: PnlFilter,
    /// Reporting currency (default: the org's).
    pub currency: Option<Currency>,
    /// Time zone of the days (must be the org's: days are recorded in it).
    pub time_zone: Option<String>,
}

/// Refuses a range whose end is before its start or that spans more than three years, before
/// any date arithmetic is done on it.
///
/// # Errors
/// BAD_USER_INPUT naming `range`.
pub fn check_range(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from {
        return Err(Error::bad_input(format!(
            "range: to ({to}) is before from ({from})"
        )));
    }
    if to.signed_duration_since(from).num_days() > 3 * 366 {
        return Err(Error::bad_input("range: at most three years at a time"));
    }
    Ok(())
}

/// Runs the pivot for `org_id`.
///
/// # Errors
/// A range or time zone that cannot be served, a missing FX rate (naming currency and day), or
/// database failures.
pub async fn report(
    db: &impl ConnectionTrait,
    org_id: i64,
    request: &PnlRequest,
) -> Result<PnlReport> {
    check_range(request.from, request.to)?;
    let org = entities::org::Entity::find_by_id(org_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "org",
            id: org_id.to_string(),
        })?;
    if let Some(zone) = request
        .time_zone
        .as_deref()
        .filter(|zone| *zone != org.time_zone)
    {
        return Err(Error::bad_input(format!(
            "timeZone: days are recorded in the org's time zone {}, not {zone}; change the org's time zone to report in another",
            org.time_zone
        )));
    }
    let currency = match request.currency {
        Some(currency) => currency,
        None => Currency::parse(&org.currency)?,
    };
    let dims: BTreeSet<Dimension> = request.group_by.iter().copied().collect();
    // The sums, the catalogue's names and the settings are independent reads.
    let (aggregates, names, settings) = tokio::try_join!(
        aggregate(db, org_id, request, &dims, currency),
        fold::names(db, org_id),
        crate::org::settings(db, org_id),
    )?;
    fold(
        db,
        org_id,
        names,
        &settings,
        currency,
        &request.group_by,
        aggregates,
    )
    .await
}

/// SQL of a sums row's product: the current product of its listing, joined as `l` (none while
/// the listing is unlinked), or, for a row tied to no listing (ad spend per product), the row's
/// own product.
///
/// Ingest also stores the listing's product of the moment on each ledger row, and the sums
/// tables (`ledger_day/week/month`) key by it; that column is a record of the posting and is
/// never read for a row that has a listing. So `linkListing` / `unlinkListing` move a listing's
/// whole history by changing one `listing` row: the append-only ledger and its sums are left
/// as they are (no rewrite, no reversal), and every P&L path (pivot, per SKU, channels, blended
/// margin, alerts, creators) reads through this one expression. It costs nothing extra: the
/// listing was already joined (for listings linked after their lines were posted).
pub(super) const PRODUCT: &str =
    "(CASE WHEN le.listing_id <> 0 THEN COALESCE(l.product_id, 0) ELSE le.product_id END)";

pub(super) async fn aggregate(
    db: &impl ConnectionTrait,
    org_id: i64,
    request: &PnlRequest,
    dims: &BTreeSet<Dimension>,
    currency: Currency,
) -> Result<Vec<Aggregate>> {
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = Vec::new();
    let mut placeholder = |value: Value| {
        values.push(value);
        crate::db::placeholder(backend, values.len())
    };
    let product = PRODUCT;
    let filters = |placeholder: &mut dyn FnMut(Value) -> String| {
        let mut filters = String::new();
        if let Some(channel) = request.filter.channel {
            filters.push_str(&format!(
                " AND le.channel = {}",
                placeholder(channel.as_str().into())
            ));
        }
        if let Some(shop) = request.filter.shop_id {
            filters.push_str(&format!(" AND le.shop_id = {}", placeholder(shop.into())));
        }
        if let Some(sku) = &request.filter.sku {
            let a = placeholder(sku.clone().into());
            let b = placeholder(sku.clone().into());
            filters.push_str(&format!(
                " AND (pr.sku = {a} OR (pr.sku IS NULL AND l.channel_sku_id = {b}))"
            ));
        }
        if let Some(handle) = &request.filter.creator {
            filters.push_str(&format!(
                " AND cr.handle = {}",
                placeholder(handle.clone().into())
            ));
        }
        filters
    };
    // The listing gives the product; the product and creator names only serve filters.
    let mut joins = "LEFT JOIN listing l ON l.id = le.listing_id".to_owned();
    if request.filter.sku.is_some() {
        joins.push_str(&format!(" LEFT JOIN product pr ON pr.id = {product}"));
    }
    if request.filter.creator.is_some() {
        joins.push_str(" LEFT JOIN creator cr ON cr.id = le.creator_id");
    }
    let shape = Shape { dims, product };
    let pieces = Plan {
        org_id,
        from: request.from,
        to: request.to,
        grain: Grain::of(dims),
        currency,
        product,
    }
    .pieces(db)
    .await?;
    let date = |day: NaiveDate| date_sql(backend, day);
    let selects: Vec<String> = pieces
        .iter()
        .map(|piece| {
            let org = placeholder(org_id.into());
            let filters = filters(&mut placeholder);
            format!(
                "SELECT {columns} FROM {table} le {joins} \
                 WHERE le.org_id = {org} AND le.{column} >= {start} AND le.{column} <= {end}{condition}{filters}",
                columns = piece_list(&shape, &piece.day),
                table = piece.table,
                column = piece.column,
                start = date(piece.start),
                end = date(piece.end),
                condition = piece.condition,
            )
        })
        .collect();
    // Read the sums (day, week and month tables), not the raw lines: a reversal already
    // cancelled what it reverses there.
    let sql = outer_sql(&selects.join(" UNION ALL "));
    let rows = db
        .query_all(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    rows.iter().map(read).collect()
}
