//! The payout a statement asserts: its id (from columns, dates written ISO, or the file's name)
//! and reported total (from the summary row, or the same on every row).

use chrono::{DateTime, Utc};

use super::book::{signed, BadCell, Ctx};
use super::read::Row;
use super::values;
use crate::connectors::{PayoutInfo, PayoutKind, PayoutRef};
use crate::money::Currency;

/// The payout of the table `ctx` reads (`summary` is its summary row, if any): its reference,
/// and the reported total with the period when the mapping names a total column (none: the
/// payout is NOT_REPORTED, its lines are still booked to it).
///
/// # Errors
/// No total, totals that differ between rows, an empty id column, or a bad total or date.
pub(super) fn payout(
    ctx: &Ctx<'_>,
    summary: Option<&Row>,
    currency: Currency,
    file: &str,
) -> Result<(PayoutRef, Option<PayoutInfo>), BadCell> {
    let spec = &ctx.mapping.mapping.payout;
    let Some(total) = spec.total.as_deref() else {
        let head = summary.or(ctx.table.rows.first());
        let reference = reference(ctx, head, file)?;
        return Ok((reference, None));
    };
    // Without a summary row (or when a file lacks it [O: Walmart files are seen with and
    // without]) every row must carry the same total.
    let total_row = match summary {
        Some(row) => row,
        None => {
            let mut rows = ctx
                .table
                .rows
                .iter()
                .filter(|row| !ctx.cell(row, total).is_empty());
            let first = rows.next().ok_or_else(|| BadCell {
                row: 0,
                column: total.to_owned(),
                value: String::new(),
                reason: "no row carries the statement's total (payout.total)".to_owned(),
            })?;
            if let Some(other) = rows.find(|row| ctx.cell(row, total) != ctx.cell(first, total)) {
                return Err(Ctx::bad(
                    other,
                    total,
                    ctx.cell(other, total),
                    &format!(
                        "differs from the total {:?} of row {}: one file is one statement",
                        ctx.cell(first, total),
                        first.line
                    ),
                ));
            }
            first
        }
    };
    let reported = signed(ctx.money(total_row, total, currency)?, spec.total_sign);
    let reference = reference(ctx, Some(total_row), file)?;
    let day = |column: &Option<String>| -> Result<Option<DateTime<Utc>>, BadCell> {
        match column {
            Some(column) if !ctx.cell(total_row, column).is_empty() => {
                ctx.date(total_row, column).map(Some)
            }
            _ => Ok(None),
        }
    };
    Ok((
        reference.clone(),
        Some(PayoutInfo {
            reference,
            reported,
            period_start: day(&spec.period_start)?,
            period_end: day(&spec.period_end)?,
            paid_at: None,
            status: None,
            parent: None,
            same_period: false,
        }),
    ))
}

/// The payout's id: the mapping's prefix and the id columns of `row` (dates written ISO), or
/// the file's name.
fn reference(ctx: &Ctx<'_>, row: Option<&Row>, file: &str) -> Result<PayoutRef, BadCell> {
    let spec = &ctx.mapping.mapping.payout;
    let prefix = spec
        .id_prefix
        .clone()
        .or_else(|| ctx.mapping.mapping.name.clone())
        .unwrap_or_default();
    let id = if spec.id_columns.is_empty() {
        let name = std::path::Path::new(file).file_stem().map_or_else(
            || file.to_owned(),
            |stem| stem.to_string_lossy().into_owned(),
        );
        format!("{prefix}:{name}")
    } else {
        let mut parts = Vec::new();
        for column in &spec.id_columns {
            let Some(row) = row else {
                return Err(BadCell {
                    row: 0,
                    column: column.clone(),
                    value: String::new(),
                    reason: "no row to read the statement id from".to_owned(),
                });
            };
            let text = ctx.cell(row, column);
            if text.is_empty() {
                return Err(Ctx::bad(
                    row,
                    column,
                    text,
                    "is empty: the statement id needs it",
                ));
            }
            let formats = &ctx.mapping.mapping.file.date_formats;
            parts.push(match values::date(text, formats) {
                Some(day) => day.format("%Y-%m-%d").to_string(),
                None => text.to_owned(),
            });
        }
        format!("{prefix}:{}", parts.join(".."))
    };
    Ok(PayoutRef {
        kind: PayoutKind::Statement,
        external_id: id,
    })
}
