//! The V2 settlement report (`GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2`) as a file: detected
//! from its header, decoded ([`decode`]), read by column name in its locale ([`locale`]), and
//! turned into one SETTLED line per amount row plus the settlement as a payout.
//!
//! - Columns are found by header name; extra, missing (optional) or reordered columns are fine.
//! - The summary row (the first row with a `total-amount`) is the payout assertion:
//!   `total-amount` in `currency`, period `settlement-start-date`..`settlement-end-date`, paid
//!   on `deposit-date`, external id `settlement-id`. Σ detail rows = total [U, the common check];
//!   reserves are lines (RESERVES), so a consistent file has no residual.
//! - Each detail row is one line; `posted-date-time` is preferred over `posted-date`.
//! - `order-id` is an order only on order rows (reference pitfall 6): on `FBAFees` and
//!   `other-transaction` rows the row is account money.
//! - Anything unreadable refuses the whole file (nothing is stored): the error names the file
//!   line, the column and the value.

pub mod decode;
pub mod locale;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{labels, lines, Component, Group, Kind, Period};
use crate::connectors::{Normalized, PayoutInfo};
use crate::ledger::mapping::FeeMapper;
use crate::money::Currency;
use locale::Locale;

/// The raw record's `source_kind` of a settlement file.
pub const SOURCE_KIND: &str = "amazon.settlement.v2_flat_file";

/// Why a settlement file was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct SettlementError {
    /// The file's name.
    pub file: String,
    /// What is wrong, and where.
    pub message: String,
}

/// Columns a file must have.
const REQUIRED: &[&str] = &[
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "total-amount",
    "currency",
    "transaction-type",
    "amount-type",
    "amount-description",
    "amount",
];

/// Whether `bytes` look like a V2 settlement file: a tab-separated header (BOM tolerated) with
/// `settlement-id` and `amount-type` or `amount-description`.
pub fn looks_like(bytes: &[u8]) -> bool {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let header = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let columns: Vec<&[u8]> = header
        .split(|&b| b == b'\t')
        .map(|c| c.trim_ascii())
        .collect();
    columns.contains(&&b"settlement-id"[..])
        && (columns.contains(&&b"amount-type"[..]) || columns.contains(&&b"amount-description"[..]))
}

/// Reads a settlement file with the built-in mapping.
///
/// # Errors
/// See [`parse_with`].
pub fn parse(bytes: &[u8], file_name: &str) -> Result<Normalized, SettlementError> {
    parse_with(bytes, file_name, &FeeMapper::defaults())
}

/// Reads a settlement file with an org's mapping.
///
/// # Errors
/// A file that is not a settlement file, is in no known character set, lacks a required column
/// or the summary row, is truncated, or has a value that cannot be read: nothing is returned
/// then, and the message names the row (file line), column and value.
pub fn parse_with(
    bytes: &[u8],
    file_name: &str,
    mapper: &FeeMapper,
) -> Result<Normalized, SettlementError> {
    let fail = |message: String| SettlementError {
        file: file_name.to_owned(),
        message,
    };
    if !looks_like(bytes) {
        return Err(fail(
            "not an Amazon settlement report: the header has no settlement-id and amount-type \
             columns"
                .to_owned(),
        ));
    }
    let (text, _) = decode::decode(bytes).map_err(fail)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let table = Table::read(text).map_err(fail)?;
    table.normalize(mapper).map_err(fail)
}

/// One data row: its file line and its fields.
struct Row {
    line: u64,
    fields: Vec<String>,
}

/// The file as rows, with the column index of each header name.
struct Table {
    columns: HashMap<String, usize>,
    header_len: usize,
    rows: Vec<Row>,
}

impl Table {
    fn read(text: &str) -> Result<Self, String> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b'\t')
            .has_headers(false)
            .flexible(true)
            .quoting(false)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(Ok(header)) => header,
            Some(Err(error)) => return Err(format!("row 1: {error}")),
            None => return Err("the file is empty".to_owned()),
        };
        let columns: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(index, name)| (name.trim().to_ascii_lowercase(), index))
            .collect();
        for required in REQUIRED {
            if !columns.contains_key(*required) {
                return Err(format!("row 1: the header has no {required} column"));
            }
        }
        if !columns.contains_key("posted-date-time") && !columns.contains_key("posted-date") {
            return Err("row 1: the header has no posted-date-time or posted-date column".into());
        }
        let mut rows = Vec::new();
        // File lines are counted from each record's byte offset (blank lines included),
        // incrementally. After a CRLF the offset is the LF's, which the count includes.
        let (mut counted_to, mut newlines) = (0_usize, 0_u64);
        for record in records {
            let record = record.map_err(|error| format!("{error}"))?;
            let at = record.position().map_or(0, |position| {
                usize::try_from(position.byte()).unwrap_or(usize::MAX)
            });
            let upto = at.saturating_add(1).min(text.len()).max(counted_to);
            newlines += text.as_bytes()[counted_to..upto]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            counted_to = upto;
            let line = newlines + 1;
            let fields: Vec<String> = record.iter().map(|f| f.trim().to_owned()).collect();
            if fields.iter().all(String::is_empty) {
                continue;
            }
            rows.push(Row { line, fields });
        }
        Ok(Self {
            header_len: header.len(),
            columns,
            rows,
        })
    }

    fn get<'a>(&self, row: &'a Row, column: &str) -> &'a str {
        self.columns
            .get(column)
            .and_then(|&index| row.fields.get(index))
            .map_or("", String::as_str)
    }

    /// The row's value of a required column; a row too short to have it is truncated.
    fn required<'a>(&self, row: &'a Row, column: &str) -> Result<&'a str, String> {
        let index = self.columns[column];
        row.fields.get(index).map(String::as_str).ok_or_else(|| {
            format!(
                "row {}, column {column}: missing (the row has {} of the header's {} columns: \
                 the file is truncated or the row is broken)",
                row.line,
                row.fields.len(),
                self.header_len
            )
        })
    }

    fn normalize(&self, mapper: &FeeMapper) -> Result<Normalized, String> {
        let summary_at = self
            .rows
            .iter()
            .position(|row| !self.get(row, "total-amount").is_empty())
            .ok_or("no summary row (a row with total-amount): the file is truncated")?;
        let summary = &self.rows[summary_at];
        if let Some(early) = self.rows[..summary_at].first() {
            return Err(format!(
                "row {}: a row before the summary row (the first row after the header must \
                 carry total-amount)",
                early.line
            ));
        }
        let details = &self.rows[summary_at + 1..];
        // The last line of a cut-off file is shorter than the rows before it: refuse rather
        // than read part of a row.
        let widest = self
            .rows
            .iter()
            .map(|row| row.fields.len())
            .max()
            .unwrap_or(0);
        if let Some(last) = self.rows.last().filter(|last| last.fields.len() < widest) {
            let cut = self
                .columns
                .iter()
                .filter(|(_, &index)| index >= last.fields.len())
                .min_by_key(|(_, &index)| index)
                .map_or("amount", |(name, _)| name.as_str());
            return Err(format!(
                "row {}, column {cut}: missing (the row has {} columns, the rows before it {}): \
                 the file is truncated",
                last.line,
                last.fields.len(),
                widest
            ));
        }
        let amounts = std::iter::once(self.get(summary, "total-amount"))
            .chain(details.iter().map(|row| self.get(row, "amount")));
        let slash_dates = details
            .iter()
            .map(|row| self.get(row, "posted-date"))
            .filter(|d| d.contains('/'));
        let code = self.required(summary, "currency")?;
        let currency = Currency::parse(code).map_err(|_| {
            format!(
                "row {}, column currency: {code:?} is not a currency",
                summary.line
            )
        })?;
        let locale = Locale::detect(amounts, slash_dates, currency)?;

        let at = |row: &Row, column: &str| -> Result<DateTime<Utc>, String> {
            let text = self.required(row, column)?;
            locale
                .date(text)
                .ok_or_else(|| format!("row {}, column {column}: {text:?} is not a date", row.line))
        };
        let id = self.required(summary, "settlement-id")?;
        if id.is_empty() {
            return Err(format!("row {}, column settlement-id: empty", summary.line));
        }
        let amount = |row: &Row, column: &str| {
            let text = self.required(row, column)?;
            locale.amount(text, currency).ok_or_else(|| {
                format!(
                    "row {}, column {column}: {text:?} is not an amount",
                    row.line
                )
            })
        };
        let start = at(summary, "settlement-start-date")?;
        let end = at(summary, "settlement-end-date")?;
        let deposit = match self.get(summary, "deposit-date") {
            "" => None,
            _ => Some(at(summary, "deposit-date")?),
        };
        let reported = amount(summary, "total-amount")?;
        let period = Period::settlement(id, start, currency);

        let mut components = Vec::with_capacity(details.len());
        for row in details {
            let row_id = self.required(row, "settlement-id")?;
            if !row_id.is_empty() && row_id != id {
                return Err(format!(
                    "row {}, column settlement-id: {row_id:?} is not this file's settlement {id:?}",
                    row.line
                ));
            }
            let row_currency = self.get(row, "currency");
            if !row_currency.is_empty() && !row_currency.eq_ignore_ascii_case(code) {
                return Err(format!(
                    "row {}, column currency: {row_currency:?} in a settlement in {code}",
                    row.line
                ));
            }
            let money = amount(row, "amount")?;
            let occurred_at = if !self.get(row, "posted-date-time").is_empty() {
                at(row, "posted-date-time")?
            } else if !self.get(row, "posted-date").is_empty() {
                at(row, "posted-date")?
            } else {
                start
            };
            components.push(self.component(row, money, occurred_at)?);
        }
        let mut out = Normalized {
            rows: details.len() + 1,
            ..Normalized::default()
        };
        lines(&period, components, mapper, &mut out);
        out.payouts.push(PayoutInfo {
            reference: period.payout.clone(),
            reported,
            period_start: Some(start),
            period_end: Some(end),
            paid_at: deposit,
            status: None,
            parent: None,
            same_period: true,
        });
        Ok(out)
    }

    fn component(
        &self,
        row: &Row,
        amount: crate::money::Money,
        occurred_at: DateTime<Utc>,
    ) -> Result<Component, String> {
        let transaction = self.required(row, "transaction-type")?;
        let amount_type = self.required(row, "amount-type")?;
        let description = self.required(row, "amount-description")?;
        let order = self.get(row, "order-id");
        let kind = match labels::fold(transaction).as_str() {
            _ if order.is_empty() => Kind::Account,
            "order" => Kind::Sale,
            "refund" => Kind::Refund,
            "a-to-z guarantee refund" => Kind::Claim,
            "chargeback refund" => Kind::Chargeback,
            "order_retrocharge" | "refund_retrocharge" => Kind::Retro,
            _ => Kind::Account,
        };
        let folded_type = labels::fold(amount_type);
        let group = match folded_type.as_str() {
            "itemfees" | "itemrelatedfees" | "shipmentfees" => Group::Fee,
            "promotion" => Group::Promotion,
            "itemwithheldtax" => Group::Withheld,
            _ => Group::Charge,
        };
        let generic = matches!(
            folded_type.as_str(),
            "" | "other-transaction"
                | "itemprice"
                | "itemfees"
                | "itemrelatedfees"
                | "shipmentfees"
                | "promotion"
                | "itemwithheldtax"
                | "item fee adjustment"
        );
        // Account money is named by its category when the description is a reason code or a
        // total ("Cost of Advertising" / "TransactionTotalAmount"), else by its description.
        let name = if (kind == Kind::Account && !generic) || description.is_empty() {
            labels::canonical(amount_type)
        } else {
            labels::canonical(description)
        };
        let item = match (kind, folded_type.as_str()) {
            (Kind::Account, _) => None,
            (Kind::Retro, _) => Some("order".to_owned()),
            (_, "shipmentfees") => Some("shipment".to_owned()),
            _ => Some(super::item_key(
                Some(self.get(row, "sku")),
                Some(self.get(row, "order-item-code")),
            )),
        };
        let units = if group == Group::Charge && labels::fold(&name) == "principal" {
            let text = self.get(row, "quantity-purchased");
            match text {
                "" => 0,
                text => text.parse::<i32>().map_err(|_| {
                    format!(
                        "row {}, column quantity-purchased: {text:?} is not a whole number",
                        row.line
                    )
                })?,
            }
        } else {
            0
        };
        let sku = self.get(row, "sku");
        Ok(Component {
            kind,
            order_id: (kind != Kind::Account).then(|| order.to_owned()),
            item,
            group,
            name,
            amount,
            seller_sku: (!sku.is_empty()).then(|| sku.to_owned()),
            asin: None,
            units,
            occurred_at,
        })
    }
}
