//! `pnl mapping check`: how the first rows of a sample would be booked, as a table, and the
//! payout assertion the file makes, without writing anything.

use std::fmt::Write as _;

use super::book::Booked;
use crate::money::Money;

/// The booking of the first `limit` lines of `booked`, one per line (row, date, order, SKU,
/// label → bucket, amount, key), then the payout assertion over the whole file.
pub fn preview(booked: &Booked, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "row\tdate\torder\tsku\tlabel → bucket\tamount\tkey");
    let lines = &booked.normalized.lines;
    for (line, row) in lines.iter().zip(&booked.line_rows).take(limit) {
        let unmapped = if line.mapped { "" } else { " (unmapped)" };
        let _ = writeln!(
            out,
            "{row}\t{}\t{}\t{}\t{} → {}{unmapped}\t{} {}\t{}",
            line.occurred_at.format("%Y-%m-%d"),
            line.order_id.as_deref().unwrap_or("-"),
            line.sku
                .as_ref()
                .map_or("-", |sku| sku.channel_sku_id.as_str()),
            line.label,
            line.bucket.as_str(),
            line.amount.amount(),
            line.amount.currency().as_str(),
            line.entry_key,
        );
    }
    if lines.len() > limit {
        let _ = writeln!(out, "… {} more line(s)", lines.len() - limit);
    }
    let sum = Money::checked_sum(lines.iter().map(|line| line.amount), booked.currency);
    let id = &booked.payout.external_id;
    let code = booked.currency.as_str();
    match (sum, &booked.reported) {
        (Ok(sum), Some(reported)) => {
            let residual = reported.reported.checked_sub(sum);
            let _ = writeln!(
                out,
                "payout {id}: reported {} {code}, lines {} {code} ({} line(s) from {} row(s)), residual {}",
                reported.reported.amount(),
                sum.amount(),
                lines.len(),
                booked.normalized.rows,
                residual.map_or_else(|_| "out of range".to_owned(), |r| r.amount().to_string()),
            );
        }
        (Ok(sum), None) => {
            let _ = writeln!(
                out,
                "payout {id}: no reported total (payout.total), lines {} {code} ({} line(s) from {} row(s))",
                sum.amount(),
                lines.len(),
                booked.normalized.rows,
            );
        }
        (Err(error), _) => {
            let _ = writeln!(out, "payout {id}: lines cannot be summed: {error}");
        }
    }
    let unmapped: std::collections::BTreeSet<&str> = lines
        .iter()
        .filter(|line| !line.mapped)
        .map(|line| line.label.as_str())
        .collect();
    if !unmapped.is_empty() {
        let names: Vec<&str> = unmapped.into_iter().collect();
        let _ = writeln!(
            out,
            "unmapped labels (booked to OTHER): {}",
            names.join(", ")
        );
    }
    for bad in &booked.skipped {
        let _ = writeln!(out, "skipped: {bad}");
    }
    if booked.ignored > 0 {
        let _ = writeln!(
            out,
            "rows not booked (status, rows.skip or no amount): {}",
            booked.ignored
        );
    }
    out
}
