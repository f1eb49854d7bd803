//! Which sums the pivot reads, and how finely it keeps days apart.
//!
//! Rows come back per period of the report (a day, a week, or a month; a range without a period
//! dimension is read by month and merged by the fold) rather than per day, so a year is a few
//! thousand rows however large the ledger is. Days are kept apart only where the exact figure
//! needs them: amounts in another currency than the report's, and COGS of a product costed in
//! another currency (both converted at each day's rate); a product whose unit cost changes inside
//! a period is split at the change (COGS takes the cost in force on each day). Whole periods
//! inside the range come from `ledger_week` / `ledger_month`; the edges, the foreign-currency
//! periods and the periods of cost changes from `ledger_day`. Each row's `day` is the first day
//! of its slice (period inside the range, or from a cost change on, or its own day): the day the
//! fold converts and costs it at.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration as Days, NaiveDate};
use entities::product_cost;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement};

use super::Dimension;
use crate::error::Result;
use crate::ledger::rollup::{period_end, period_start, whole_periods, Period};
use crate::money::Currency;

/// Above this many cost windows the query keeps every day (a long SQL condition would cost more
/// than it saves).
const MAX_WINDOWS: usize = 200;

/// The buckets whose units COGS counts: only their lines need a product's cost of the day.
const UNITS: &str = "le.bucket IN ('PRODUCT_SALES', 'REFUNDS')";

/// How finely rows are grouped in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Grain {
    Day,
    Whole(Period),
}

impl Grain {
    pub(super) fn of(dims: &BTreeSet<Dimension>) -> Self {
        if dims.contains(&Dimension::Day) {
            Self::Day
        } else if dims.contains(&Dimension::Week) {
            Self::Whole(Period::Week)
        } else {
            Self::Whole(Period::Month)
        }
    }

    fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => day,
            Self::Whole(period) => period_start(period, day),
        }
    }

    /// The last day of the period starting on `start`.
    fn end(self, start: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => start,
            Self::Whole(period) => period_end(period, start),
        }
    }
}

/// One index range of one sums table, and how its rows are dated.
pub(super) struct Piece {
    pub(super) table: &'static str,
    pub(super) column: &'static str,
    pub(super) start: NaiveDate,
    pub(super) end: NaiveDate,
    /// SQL of the row's day.
    pub(super) day: String,
    /// More `AND …` conditions.
    pub(super) condition: String,
}

impl Piece {
    fn days(start: NaiveDate, end: NaiveDate, day: String, condition: String) -> Self {
        Self {
            table: "ledger_day",
            column: "day",
            start,
            end,
            day,
            condition,
        }
    }
}

/// A date literal of the backend.
pub(super) fn date_sql(backend: DatabaseBackend, day: NaiveDate) -> String {
    if backend == DatabaseBackend::Postgres {
        format!("CAST('{day}' AS DATE)")
    } else {
        format!("'{day}'")
    }
}

/// Unit costs that matter to the grouping.
#[derive(Default)]
struct Costs {
    /// Products costed in another currency than the report's: COGS is converted day by day.
    daily: BTreeSet<i64>,
    /// (product, day) of each cost change in `from + 1 ..= to`, in the report's currency.
    changes: BTreeSet<(i64, NaiveDate)>,
}

/// What the plan is for.
pub(super) struct Plan<'a> {
    pub(super) org_id: i64,
    pub(super) from: NaiveDate,
    pub(super) to: NaiveDate,
    pub(super) grain: Grain,
    /// The reporting currency.
    pub(super) currency: Currency,
    /// SQL of a row's effective product id.
    pub(super) product: &'a str,
}

impl Plan<'_> {
    /// The pieces that together read every line of the range exactly once.
    ///
    /// # Errors
    /// Database failures.
    pub(super) async fn pieces(mut self, db: &impl ConnectionTrait) -> Result<Vec<Piece>> {
        let backend = db.get_database_backend();
        let date = |day: NaiveDate| date_sql(backend, day);
        let costs = self.costs(db).await?;
        let mut windows = self.windows(&costs);
        if windows.len() > MAX_WINDOWS {
            self.grain = Grain::Day;
            windows.clear();
        }
        let (product, report) = (self.product, self.currency.as_str());
        // The cost changes by day, each with the products changing then: one arm per day.
        let mut changes: BTreeMap<NaiveDate, Vec<String>> = BTreeMap::new();
        for (product_id, change) in &costs.changes {
            changes
                .entry(*change)
                .or_default()
                .push(product_id.to_string());
        }
        // A day row's date: its own day where FX needs it, else the latest cost change of its
        // product inside its period, else `start`, its period's first day inside the range.
        // A change dates the rows of its products from its day to its period's end: every change
        // is after `from`, so never before a row's first day in the range. Only the changes
        // whose days meet the piece's `lo..=hi` get an arm, latest first, and an arm tests the
        // row's day (two comparisons) before its product: a row pays for its own period's
        // changes, not for every product's change of the range.
        let day_sql = |start: &str, lo: NaiveDate, hi: NaiveDate| -> String {
            if self.grain == Grain::Day {
                return "le.day".to_owned();
            }
            let mut day = format!("CASE WHEN le.currency <> '{report}' THEN le.day");
            if !costs.daily.is_empty() {
                let daily: Vec<String> = costs.daily.iter().map(i64::to_string).collect();
                day.push_str(&format!(
                    " WHEN {UNITS} AND {product} IN ({}) THEN le.day",
                    daily.join(", ")
                ));
            }
            for (change, products) in changes.iter().rev() {
                let end = self.grain.end(self.grain.start(*change));
                if *change > hi || end < lo {
                    continue;
                }
                day.push_str(&format!(
                    " WHEN le.day >= {change} AND le.day <= {end} AND {UNITS} AND {product} IN ({products}) THEN {change}",
                    change = date(*change),
                    end = date(end),
                    products = products.join(", "),
                ));
            }
            format!("{day} ELSE {start} END")
        };
        // The first day of a row's period inside the range, for rows of several periods.
        let any_start = match self.grain {
            Grain::Day => "le.day".to_owned(),
            Grain::Whole(period) => {
                let start = period.start_sql("le.day", backend == DatabaseBackend::Postgres);
                let from = date(self.from);
                format!("(CASE WHEN {start} < {from} THEN {from} ELSE {start} END)")
            }
        };
        let whole = match self.grain {
            Grain::Day => None,
            Grain::Whole(period) => {
                whole_periods(period, self.from, self.to).map(|range| (period, range))
            }
        };
        let Some((period, (first, last))) = whole else {
            return Ok(vec![Piece::days(
                self.from,
                self.to,
                day_sql(&any_start, self.from, self.to),
                String::new(),
            )]);
        };
        let inner_end = self.grain.end(last);
        let mut pieces = Vec::new();
        if self.from < first {
            let end = first - Days::days(1);
            // Inside the period holding `from`: its first day in the range is `from`.
            let day = day_sql(&date(self.from), self.from, end);
            pieces.push(Piece::days(self.from, end, day, String::new()));
        }
        if inner_end < self.to {
            let start = inner_end + Days::days(1);
            // The start of the period holding `to`.
            pieces.push(Piece::days(
                start,
                self.to,
                day_sql(&date(start), start, self.to),
                String::new(),
            ));
        }
        // Inside the whole periods: other currencies day by day (only in periods that have
        // any), each cost window from the days, and the rest by period.
        for start in self.foreign_periods(db, period, first, last).await? {
            pieces.push(Piece::days(
                start,
                self.grain.end(start),
                "le.day".to_owned(),
                format!(" AND le.currency <> '{report}'"),
            ));
        }
        // One scan per distinct range: products windowed over the same days share it.
        let column = period.column();
        let mut ranges: BTreeMap<(NaiveDate, NaiveDate), Vec<String>> = BTreeMap::new();
        for (product_id, start, end) in windows {
            let (start, end) = (start.max(first), end.min(inner_end));
            if start <= end {
                ranges
                    .entry((start, end))
                    .or_default()
                    .push(product_id.to_string());
            }
        }
        let mut not_windowed = String::new();
        for ((start, end), products) in ranges {
            let products = products.join(", ");
            pieces.push(Piece::days(
                start,
                end,
                day_sql(&any_start, start, end),
                format!(" AND le.currency = '{report}' AND {UNITS} AND {product} IN ({products})"),
            ));
            not_windowed.push_str(&format!(
                " AND NOT ({UNITS} AND {product} IN ({products}) AND le.{column} >= {} AND le.{column} <= {})",
                date(start),
                date(end)
            ));
        }
        pieces.push(Piece {
            table: period.table(),
            column,
            start: first,
            end: last,
            day: format!("le.{column}"),
            condition: format!(" AND le.currency = '{report}'{not_windowed}"),
        });
        Ok(pieces)
    }

    /// The unit costs that stop a product's lines from being summed over whole periods.
    async fn costs(&self, db: &impl ConnectionTrait) -> Result<Costs> {
        let mut costs = Costs::default();
        for cost in product_cost::Entity::find()
            .filter(product_cost::Column::OrgId.eq(self.org_id))
            .filter(product_cost::Column::EffectiveFrom.lte(self.to))
            .all(db)
            .await?
        {
            if cost.currency != self.currency.as_str() {
                costs.daily.insert(cost.product_id);
            } else if cost.effective_from > self.from {
                costs.changes.insert((cost.product_id, cost.effective_from));
            }
        }
        Ok(costs)
    }

    /// Where a product's lines are read from the days, merged so no day is read twice: the
    /// periods with a cost change, and the whole range for a product costed in another currency.
    fn windows(&self, costs: &Costs) -> Vec<(i64, NaiveDate, NaiveDate)> {
        let mut windows: BTreeSet<(i64, NaiveDate, NaiveDate)> = costs
            .daily
            .iter()
            .map(|product| (*product, self.from, self.to))
            .collect();
        for (product, change) in &costs.changes {
            let start = self.grain.start(*change);
            let end = self.grain.end(start).min(self.to);
            windows.insert((*product, start.max(self.from), end));
        }
        let mut merged: Vec<(i64, NaiveDate, NaiveDate)> = Vec::new();
        for (product, start, end) in windows {
            match merged.last_mut() {
                Some(last) if last.0 == product && start <= last.2 + Days::days(1) => {
                    last.2 = last.2.max(end);
                }
                _ => merged.push((product, start, end)),
            }
        }
        merged
    }

    /// The periods of `first..=last` (first days) with lines in another currency.
    async fn foreign_periods(
        &self,
        db: &impl ConnectionTrait,
        period: Period,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<NaiveDate>> {
        let backend = db.get_database_backend();
        let (table, column) = (period.table(), period.column());
        let sql = format!(
            "SELECT DISTINCT {column} AS start FROM {table} \
             WHERE org_id = {} AND {column} >= {} AND {column} <= {} AND currency <> '{}'",
            self.org_id,
            date_sql(backend, first),
            date_sql(backend, last),
            self.currency.as_str(),
        );
        let starts: BTreeSet<NaiveDate> = db
            .query_all(Statement::from_string(backend, sql))
            .await?
            .into_iter()
            .map(|row| row.try_get::<NaiveDate>("", "start"))
            .collect::<std::result::Result<_, _>>()?;
        Ok(starts.into_iter().collect())
    }
}
