//! CSV imports of unit costs and FX rates. A file is all or nothing: every bad cell is reported
//! with its row, column and value, and nothing is stored unless every row is good.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::fx::{self, FxRate};
use super::unit_cost::{self, Components, UnitCost};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::money::{Currency, Money};

/// What an import stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvReport {
    /// Data rows read (and stored).
    pub rows: usize,
}

struct Table {
    columns: HashMap<String, usize>,
    rows: Vec<csv::StringRecord>,
}

fn read(text: &str, required: &[&str]) -> Result<Table> {
    // PostgreSQL cannot store a NUL in text (SQLite can): refused the same way on both.
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        return Err(Error::bad_input(format!(
            "line {line}: holds a NUL character, which cannot be stored"
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::bad_input(format!("header: {e}")))?
        .clone();
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_ascii_lowercase(), i))
        .collect();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !columns.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(Error::bad_input(format!(
            "header: missing column(s) {}",
            missing.join(", ")
        )));
    }
    let rows = reader
        .records()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| Error::bad_input(format!("row {}: {e}", i + 2))))
        .collect::<Result<Vec<_>>>()?;
    Ok(Table { columns, rows })
}

/// One row's cells by column name, collecting errors that name row, column and value.
struct Row<'a> {
    table: &'a Table,
    record: &'a csv::StringRecord,
    number: usize,
    errors: &'a mut Vec<String>,
}

impl Row<'_> {
    fn cell(&self, column: &str) -> Option<&str> {
        let index = self.table.columns.get(column)?;
        self.record.get(*index).filter(|v| !v.is_empty())
    }

    fn fail(&mut self, column: &str, reason: &str) {
        let value = self.cell(column).unwrap_or("");
        self.errors.push(format!(
            "row {}, column {column}, value {value:?}: {reason}",
            self.number
        ));
    }

    fn required(&mut self, column: &str) -> Option<String> {
        let value = self.cell(column).map(ToOwned::to_owned);
        if value.is_none() {
            self.fail(column, "required");
        }
        value
    }

    fn parse<T, E: std::fmt::Display>(
        &mut self,
        column: &str,
        parse: impl Fn(&str) -> std::result::Result<T, E>,
    ) -> Option<T> {
        let text = self.cell(column)?.to_owned();
        match parse(&text) {
            Ok(value) => Some(value),
            Err(error) => {
                self.fail(column, &error.to_string());
                None
            }
        }
    }
}

fn day(text: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| "expected a date such as 2026-01-31".to_owned())
}

fn finish<T>(errors: &[String], parsed: Vec<T>) -> Result<Vec<T>> {
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(Error::bad_input(format!(
            "nothing imported; fix these and import again: {}",
            errors.join("; ")
        )))
    }
}

/// Imports unit costs: columns `sku, effective_from, currency, unit_cost` and optionally
/// `product, freight, duty, packaging`.
///
/// # Errors
/// BAD_USER_INPUT listing every bad cell (nothing is stored then), or database failures.
pub async fn import_costs(db: &Db, org_id: i64, text: &str) -> Result<CsvReport> {
    let table = read(text, &["sku", "effective_from", "currency", "unit_cost"])?;
    let mut errors = Vec::new();
    let mut costs = Vec::with_capacity(table.rows.len());
    for (index, record) in table.rows.iter().enumerate() {
        let mut row = Row {
            table: &table,
            record,
            number: index + 2,
            errors: &mut errors,
        };
        let sku = row.required("sku");
        let from = row
            .required("effective_from")
            .and(row.parse("effective_from", day));
        let currency = row
            .required("currency")
            .and(row.parse("currency", Currency::parse));
        let Some(currency) = currency else { continue };
        let money =
            |row: &mut Row<'_>, column: &str| row.parse(column, |t| Money::parse(t, currency));
        let unit = row.required("unit_cost").and(money(&mut row, "unit_cost"));
        let components = Components {
            product: money(&mut row, "product"),
            freight: money(&mut row, "freight"),
            duty: money(&mut row, "duty"),
            packaging: money(&mut row, "packaging"),
        };
        if let (Some(sku), Some(effective_from), Some(unit_cost)) = (sku, from, unit) {
            let cost = UnitCost {
                sku,
                effective_from,
                unit_cost,
                components,
            };
            match unit_cost::validate(&cost) {
                Ok(()) => costs.push(cost),
                Err(error) => row.fail("unit_cost", &error.to_string()),
            }
        }
    }
    let costs = finish(&errors, costs)?;
    let txn = db.begin_write().await?;
    for cost in &costs {
        unit_cost::set(&*txn, org_id, cost).await?;
    }
    txn.commit().await?;
    Ok(CsvReport { rows: costs.len() })
}

/// Imports FX rates: columns `day, base, quote, rate`.
///
/// # Errors
/// BAD_USER_INPUT listing every bad cell (nothing is stored then), or database failures.
pub async fn import_rates(db: &Db, org_id: i64, text: &str) -> Result<CsvReport> {
    let table = read(text, &["day", "base", "quote", "rate"])?;
    let mut errors = Vec::new();
    let mut rates = Vec::with_capacity(table.rows.len());
    for (index, record) in table.rows.iter().enumerate() {
        let mut row = Row {
            table: &table,
            record,
            number: index + 2,
            errors: &mut errors,
        };
        let parsed = (
            row.required("day").and(row.parse("day", day)),
            row.required("base").and(row.parse("base", Currency::parse)),
            row.required("quote")
                .and(row.parse("quote", Currency::parse)),
            row.required("rate")
                .and(row.parse("rate", Decimal::from_str)),
        );
        if let (Some(day), Some(base), Some(quote), Some(rate)) = parsed {
            let rate = FxRate {
                day,
                base,
                quote,
                rate,
            };
            match fx::validate(&rate) {
                Ok(()) => rates.push(rate),
                Err(error) => row.fail("rate", &error.to_string()),
            }
        }
    }
    let rates = finish(&errors, rates)?;
    let txn = db.begin_write().await?;
    for rate in &rates {
        fx::set(&*txn, org_id, rate).await?;
    }
    txn.commit().await?;
    Ok(CsvReport { rows: rates.len() })
}
