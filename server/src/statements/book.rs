//! Rows → ledger lines and the payout assertion, as a mapping says (pure: no I/O).
//!
//! - Each money row gives one line (one amount column) or two (gross and fee); lines are
//!   SETTLED in the file's payout, keyed `stmt:{shop}:{key values}[:fee]` so re-importing the
//!   same or an overlapping file posts only rows not seen before (a key repeated within one file
//!   gets `#2`, `#3`, … in file order).
//! - The label's bucket: the org's override, else the mapping's table, else OTHER (listed as
//!   unmapped).
//! - A row that cannot be read refuses the file, or is skipped and listed with
//!   `skip_bad_rows`; the summary row never is skipped.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::mapping::{fold, Checked, Sign};
use super::read::{Row, Table};
use super::values;
use crate::connectors::{Failure, Granularity, Line, Normalized, PayoutInfo, PayoutRef, SkuRef};
use crate::ledger::mapping::FeeMapper;
use crate::ledger::{EntryStatus, FeeBucket};
use crate::money::{Currency, Money};

/// A cell that could not be read: where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadCell {
    /// The file line.
    pub row: u64,
    /// The column.
    pub column: String,
    /// The cell as written.
    pub value: String,
    /// What it should have been.
    pub reason: String,
}

impl std::fmt::Display for BadCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {}, column {:?}: {:?} {}",
            self.row, self.column, self.value, self.reason
        )
    }
}

impl From<BadCell> for Failure {
    fn from(bad: BadCell) -> Self {
        Self {
            position: format!("row {}, column {:?}", bad.row, bad.column),
            reason: format!("{:?} {}", bad.value, bad.reason),
        }
    }
}

/// A statement read through its mapping.
#[derive(Clone, Debug)]
pub struct Booked {
    /// Lines, listings and the payout, ready for ingest.
    pub normalized: Normalized,
    /// The file line of each of `normalized.lines`.
    pub line_rows: Vec<u64>,
    /// The payout the file's lines belong to.
    pub payout: PayoutRef,
    /// The total the file reports for it, with its period (none: the mapping names no total).
    pub reported: Option<PayoutInfo>,
    /// The statement's currency.
    pub currency: Currency,
    /// Rows skipped (`skip_bad_rows`), with why.
    pub skipped: Vec<BadCell>,
    /// Rows not booked: an ignored status, a `rows.skip` match, or no amount.
    pub ignored: usize,
}

/// The shop external id a mapping's lines are posted to by default: the channel's display
/// name, folded.
pub fn shop_key(mapping: &Checked) -> String {
    fold(&mapping.display).replace(' ', "-")
}

/// The table and mapping a booking reads.
pub(super) struct Ctx<'a> {
    pub(super) table: &'a Table,
    pub(super) mapping: &'a Checked,
}

impl Ctx<'_> {
    pub(super) fn cell<'r>(&self, row: &'r Row, column: &str) -> &'r str {
        self.table.get(row, column)
    }

    pub(super) fn bad(row: &Row, column: &str, value: &str, reason: &str) -> BadCell {
        BadCell {
            row: row.line,
            column: column.to_owned(),
            value: value.to_owned(),
            reason: reason.to_owned(),
        }
    }

    pub(super) fn money(
        &self,
        row: &Row,
        column: &str,
        currency: Currency,
    ) -> Result<Money, BadCell> {
        let text = self.cell(row, column);
        let style = self.mapping.mapping.file.decimal;
        values::amount(text, style, currency).ok_or_else(|| {
            let shown = match style {
                super::mapping::DecimalStyle::Point => "1,234.56",
                super::mapping::DecimalStyle::Comma => "1.234,56",
            };
            Self::bad(
                row,
                column,
                text,
                &format!(
                    "is not an amount in {currency} written {shown} (file.decimal)",
                    currency = currency.as_str()
                ),
            )
        })
    }

    pub(super) fn date(&self, row: &Row, column: &str) -> Result<DateTime<Utc>, BadCell> {
        let text = self.cell(row, column);
        let formats = &self.mapping.mapping.file.date_formats;
        values::date(text, formats).ok_or_else(|| {
            Self::bad(
                row,
                column,
                text,
                &format!("is not a date in any of {formats:?} (file.date_formats)"),
            )
        })
    }

    fn currency(&self, row: &Row, fallback: Option<Currency>) -> Result<Currency, BadCell> {
        let rows = &self.mapping.mapping.rows;
        match rows.currency.as_deref() {
            Some(column) => {
                let code = self.cell(row, column);
                if code.is_empty() {
                    return fallback
                        .or(self.mapping.currency)
                        .ok_or_else(|| Self::bad(row, column, code, "is empty: no currency"));
                }
                Currency::parse(code)
                    .map_err(|_| Self::bad(row, column, code, "is not an ISO 4217 currency"))
            }
            None => self
                .mapping
                .currency
                .ok_or_else(|| Self::bad(row, "rows.currency_code", "", "no currency")),
        }
    }

    fn is_summary(&self, row: &Row) -> bool {
        self.mapping
            .mapping
            .payout
            .summary_row
            .as_ref()
            .is_some_and(|m| {
                self.cell(row, &m.column)
                    .eq_ignore_ascii_case(m.equals.trim())
            })
    }
}

pub(super) fn signed(money: Money, sign: Sign) -> Money {
    match sign {
        Sign::AsWritten => money,
        Sign::Negate => -money,
    }
}

/// Books `table` with `mapping`; `file` names the statement when the payout id comes from its
/// name; `shop` (the shop's external id) starts every entry key.
///
/// # Errors
/// The first bad cell (unless `skip_bad_rows`), or a bad summary row / total, always.
pub fn book(
    table: &Table,
    mapping: &Checked,
    mapper: &FeeMapper,
    file: &str,
    shop: &str,
    skip_bad_rows: bool,
) -> Result<Booked, BadCell> {
    let ctx = Ctx { table, mapping };
    let spec = &mapping.mapping;
    let summary = table.rows.iter().find(|row| ctx.is_summary(row));
    let first = table.rows.first();
    let head = summary.or(first).ok_or_else(|| BadCell {
        row: u64::try_from(spec.file.header_row).unwrap_or(0),
        column: String::new(),
        value: String::new(),
        reason: "the file has no rows below its header".to_owned(),
    })?;
    // The statement's currency: the summary row's, else the first row naming one (rows may
    // leave it blank), else the mapping's fixed one.
    let named = spec.rows.currency.as_deref().and_then(|column| {
        summary
            .into_iter()
            .chain(&table.rows)
            .find(|row| !ctx.cell(row, column).is_empty())
    });
    let currency = ctx.currency(named.unwrap_or(head), None)?;
    let (payout, reported) = super::payout::payout(&ctx, summary, currency, file)?;
    let mut out = Booked {
        normalized: Normalized::default(),
        line_rows: Vec::new(),
        payout,
        reported,
        currency,
        skipped: Vec::new(),
        ignored: 0,
    };
    let mut seen_keys: HashMap<String, usize> = HashMap::new();
    let mut listings = BTreeSet::new();
    for row in &table.rows {
        out.normalized.rows += 1;
        if ctx.is_summary(row) {
            continue;
        }
        match row_lines(&ctx, row, &out.payout, mapper, shop, currency) {
            Ok(None) => out.ignored += 1,
            Ok(Some(lines)) => {
                for mut line in lines {
                    let seen = seen_keys.entry(line.entry_key.clone()).or_insert(0);
                    *seen += 1;
                    if *seen > 1 {
                        line.entry_key = format!("{}#{seen}", line.entry_key);
                    }
                    if let Some(sku) = &line.sku {
                        if listings.insert(sku.channel_sku_id.clone()) {
                            out.normalized.listings.push(sku.clone());
                        }
                    }
                    out.normalized.lines.push(line);
                    out.line_rows.push(row.line);
                }
            }
            Err(bad) if skip_bad_rows => {
                out.normalized.failures.push(bad.clone().into());
                out.skipped.push(bad);
            }
            Err(bad) => return Err(bad),
        }
    }
    out.normalized.payouts.extend(out.reported.clone());
    Ok(out)
}

/// The lines of one row; `None` when its status says it is not booked.
fn row_lines(
    ctx: &Ctx<'_>,
    row: &Row,
    payout: &PayoutRef,
    mapper: &FeeMapper,
    shop: &str,
    currency: Currency,
) -> Result<Option<Vec<Line>>, BadCell> {
    let rows = &ctx.mapping.mapping.rows;
    if rows.skip.iter().any(|m| {
        ctx.cell(row, &m.column)
            .eq_ignore_ascii_case(m.equals.trim())
    }) {
        return Ok(None);
    }
    if let Some(status) = &rows.status {
        let value = ctx.cell(row, &status.column);
        let is = |list: &[String]| list.iter().any(|v| v.trim().eq_ignore_ascii_case(value));
        if is(&status.ignore) {
            return Ok(None);
        }
        if !is(&status.settled) {
            return Err(Ctx::bad(
                row,
                &status.column,
                value,
                "is neither a settled nor an ignored status (rows.status)",
            ));
        }
    }
    let row_currency = ctx.currency(row, Some(currency))?;
    if row_currency != currency {
        let column = rows.currency.as_deref().unwrap_or_default();
        return Err(Ctx::bad(
            row,
            column,
            ctx.cell(row, column),
            &format!(
                "differs from the statement's currency {}",
                currency.as_str()
            ),
        ));
    }
    let occurred_at = ctx.date(row, &rows.date)?;
    let written: Vec<&str> = rows
        .label
        .names()
        .into_iter()
        .map(|column| ctx.cell(row, column))
        .filter(|part| !part.is_empty())
        .collect();
    let written = written.join(&rows.label_separator);
    let rule = ctx.mapping.rule(&written);
    let label = rule
        .as_ref()
        .map_or_else(|| written.clone(), |(label, _, _)| label.clone());
    let sign = rule
        .as_ref()
        .and_then(|(_, _, sign)| *sign)
        .unwrap_or(rows.sign);
    let channel = ctx.mapping.channel;
    let bucket_of =
        |label: &str, table: Option<FeeBucket>| mapper.resolve_with(channel, label, table);
    let cell = |column: &Option<String>| {
        column
            .as_deref()
            .map(|c| ctx.cell(row, c))
            .filter(|v| !v.is_empty())
            .map(ToOwned::to_owned)
    };
    let order_id = cell(&rows.order_id);
    let sku = cell(&rows.sku).map(|sku| SkuRef {
        channel_sku_id: sku.clone(),
        seller_sku: Some(sku),
        channel_product_id: None,
        name: cell(&rows.sku_name),
    });
    let quantity = match rows.quantity.as_deref() {
        Some(column) => match ctx.cell(row, column) {
            "" => 0,
            text => text
                .parse::<i32>()
                .map_err(|_| Ctx::bad(row, column, text, "is not a whole number"))?,
        },
        None => 0,
    };
    let key_values: Vec<&str> = rows
        .key
        .names()
        .into_iter()
        .map(|c| ctx.cell(row, c))
        .collect();
    if key_values.iter().all(|v| v.is_empty()) {
        let column = rows.key.names().join(", ");
        return Err(Ctx::bad(
            row,
            &column,
            "",
            "is empty: the row has no idempotency key",
        ));
    }
    let key = format!("stmt:{shop}:{}", key_values.join("|"));
    let granularity = match (&order_id, &sku) {
        (None, _) => Granularity::Standalone,
        (Some(_), Some(_)) => Granularity::Sku,
        (Some(_), None) => Granularity::Order,
    };
    let make = |entry_key: String, label: String, amount: Money, table: Option<FeeBucket>| {
        let mapping = bucket_of(&label, table);
        Line {
            entry_key,
            order_id: order_id.clone(),
            sku: sku.clone(),
            creator: None,
            bucket: mapping.bucket,
            label,
            mapped: mapping.mapped,
            amount,
            quantity: if mapping.bucket == FeeBucket::ProductSales {
                quantity
            } else {
                0
            },
            occurred_at,
            status: EntryStatus::Settled,
            payout: Some(payout.clone()),
            granularity,
            statement: Some(payout.external_id.clone()),
            product: None,
            excluded_by: None,
            replaces: Vec::new(),
        }
    };
    let table_bucket = rule.map(|(_, bucket, _)| bucket);
    if let Some(column) = &rows.amount {
        // A row with no amount carries no money (a note, a zero line left blank): not booked.
        if ctx.cell(row, column).is_empty() {
            return Ok(None);
        }
        let amount = signed(ctx.money(row, column, currency)?, sign);
        return Ok(Some(vec![make(key, label, amount, table_bucket)]));
    }
    let Some(amounts) = &rows.amounts else {
        return Ok(Some(Vec::new()));
    };
    let gross = signed(ctx.money(row, &amounts.gross, currency)?, sign);
    let fee = match amounts.fee.as_deref() {
        Some(column) if !ctx.cell(row, column).is_empty() => {
            signed(ctx.money(row, column, currency)?, amounts.fee_sign)
        }
        _ => Money::zero(currency),
    };
    if let Some(column) = amounts.net.as_deref() {
        let net = signed(ctx.money(row, column, currency)?, sign);
        let sum = gross.checked_add(fee).ok();
        if sum != Some(net) {
            return Err(Ctx::bad(
                row,
                column,
                ctx.cell(row, column),
                &format!("is not gross {} + fee {}", gross.amount(), fee.amount()),
            ));
        }
    }
    let mut lines = vec![make(
        format!("{key}:gross"),
        label.clone(),
        gross,
        table_bucket,
    )];
    if !fee.is_zero() {
        let fee_label = amounts
            .fee_label
            .clone()
            .unwrap_or_else(|| format!("{label} fee"));
        let fee_rule = ctx.mapping.rule(&fee_label);
        let fee_bucket = fee_rule.as_ref().map(|(_, bucket, _)| *bucket);
        let fee_label = fee_rule.map_or(fee_label, |(label, _, _)| label);
        lines.push(make(format!("{key}:fee"), fee_label, fee, fee_bucket));
    }
    Ok(Some(lines))
}
