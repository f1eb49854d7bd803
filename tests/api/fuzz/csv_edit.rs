//! CSV inputs: a valid unit-cost file and FX-rate file, and their cells edited (tokens that
//! look like numbers, dates or currencies but are not, quoting, line breaks, a BOM, a NUL),
//! rows and columns removed, repeated or swapped, CRLF line ends.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use super::mutate::{apply_bytes, byte_edit, Case, Edit};

/// Tokens for CSV cells: empty, signs, exponents, overflow, impossible or far dates, unknown or
/// odd currencies, quoting and line breaks, a BOM, a NUL.
const CELLS: &[&str] = &[
    "",
    " ",
    "-1",
    "-0",
    "0",
    "0.00",
    "1e5",
    "1E2",
    "NaN",
    "inf",
    "+5",
    ".5",
    "5.",
    "99999999999999999999999999999",
    "92233720368547758.07",
    "92233720368547758.08",
    "-92233720368547758.08",
    "0.000000000000000000000000001",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "1.2345",
    "6.405",
    "2026-02-30",
    "2026-1-1",
    "2026-01-01T00:00:00",
    "+10000-01-01",
    "10000-01-01",
    "-0001-01-01",
    "0000-01-01",
    "262143-12-31",
    "+262143-12-31",
    "-262144-01-01",
    "9999-12-31",
    "1900-01-01",
    "XXX",
    "usd",
    "JPY",
    "KWD",
    "CLF",
    "BHD",
    "USD ",
    "\"a,b\"",
    "\"multi\nline\"",
    "\"",
    "\"\"\"",
    "\u{feff}",
    "SKU\0",
    "é",
    "SKU-TEE-BLK-M",
    "sku",
    "unit_cost",
    "1,000.00",
];

/// A unit-cost file and an FX-rate file that import cleanly.
pub const COSTS_CSV: &str = "sku,effective_from,currency,unit_cost,product,freight,duty,packaging\nSKU-TEE-BLK-M,2026-01-01,USD,6.40,5.00,1.10,,0.30\nSKU-TEE-BLK-M,2026-02-15,USD,6.90,,,,\nSKU-MUG-01,2026-01-01,JPY,850,700,150,0,0\nSKU-OUD-01,2026-01-01,KWD,1.234,1.000,0.234,,\nSKU-SOCK-3,2026-01-01,GBP,2.00,,,,\n";
pub const RATES_CSV: &str = "day,base,quote,rate\n2026-01-01,GBP,USD,1.2712\n2026-01-02,GBP,USD,1.27\n2026-01-01,EUR,USD,1.0840\n2026-01-01,USD,JPY,157.20\n2026-01-01,KWD,USD,3.2466\n";

/// One edit of a CSV file's cells (header row included).
#[derive(Clone, Debug)]
pub enum CsvEdit {
    /// Replace a cell with a token.
    Cell(Index, Index, Index),
    /// Replace a cell with a string of `n` characters.
    Long(Index, Index, usize),
    /// Remove a row.
    RemoveRow(Index),
    /// Repeat a row.
    RepeatRow(Index, usize),
    /// Remove a column.
    RemoveColumn(Index),
    /// Add a column (a copy of another, so a header may appear twice).
    CopyColumn(Index),
    /// Swap two cells of a row.
    Swap(Index, Index, Index),
    /// CRLF line ends.
    Crlf,
}

fn csv_edit() -> impl Strategy<Value = CsvEdit> {
    prop_oneof![
        6 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(row, column, token)| CsvEdit::Cell(row, column, token)),
        1 => (any::<Index>(), any::<Index>(), 0_usize..50_000)
            .prop_map(|(row, column, n)| CsvEdit::Long(row, column, n)),
        1 => any::<Index>().prop_map(CsvEdit::RemoveRow),
        1 => (any::<Index>(), 2_usize..20).prop_map(|(row, n)| CsvEdit::RepeatRow(row, n)),
        1 => any::<Index>().prop_map(CsvEdit::RemoveColumn),
        1 => any::<Index>().prop_map(CsvEdit::CopyColumn),
        1 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(row, a, b)| CsvEdit::Swap(row, a, b)),
        1 => Just(CsvEdit::Crlf),
    ]
}

fn apply_csv(text: &str, edits: &[CsvEdit]) -> Vec<u8> {
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|line| line.split(',').map(ToOwned::to_owned).collect())
        .collect();
    let mut newline = "\n";
    for edit in edits {
        let cell = |rows: &mut Vec<Vec<String>>, row: &Index, column: &Index| {
            if rows.is_empty() {
                return None;
            }
            let at = row.index(rows.len());
            let cells = &mut rows[at];
            if cells.is_empty() {
                cells.push(String::new());
            }
            let column = column.index(cells.len());
            Some((at, column))
        };
        match edit {
            CsvEdit::Cell(row, column, token) => {
                if let Some((row, column)) = cell(&mut rows, row, column) {
                    rows[row][column] = (*token.get(CELLS)).to_owned();
                }
            }
            CsvEdit::Long(row, column, n) => {
                if let Some((row, column)) = cell(&mut rows, row, column) {
                    rows[row][column] = "9".repeat(*n);
                }
            }
            CsvEdit::RemoveRow(row) if !rows.is_empty() => {
                let at = row.index(rows.len());
                rows.remove(at);
            }
            CsvEdit::RepeatRow(row, n) if !rows.is_empty() => {
                let at = row.index(rows.len());
                let copy = rows[at].clone();
                rows.extend(std::iter::repeat_n(copy, *n));
            }
            CsvEdit::RemoveColumn(column) => {
                let width = rows.first().map_or(0, Vec::len);
                if width > 0 {
                    let at = column.index(width);
                    for row in &mut rows {
                        if at < row.len() {
                            row.remove(at);
                        }
                    }
                }
            }
            CsvEdit::CopyColumn(column) => {
                let width = rows.first().map_or(0, Vec::len);
                if width > 0 {
                    let at = column.index(width);
                    for row in &mut rows {
                        let copy = row.get(at).cloned().unwrap_or_default();
                        row.push(copy);
                    }
                }
            }
            CsvEdit::Swap(row, a, b) => {
                if let Some((row, a)) = cell(&mut rows, row, a) {
                    let b = b.index(rows[row].len());
                    rows[row].swap(a, b);
                }
            }
            CsvEdit::Crlf => newline = "\r\n",
            _ => {}
        }
    }
    let mut text: String = rows
        .iter()
        .map(|row| row.join(","))
        .collect::<Vec<_>>()
        .join(newline);
    text.push_str(newline);
    text.into_bytes()
}

/// Any input for a CSV import: the seed edited by cell, by byte, truncated, or random bytes.
pub fn csv_case(seed: &'static str) -> impl Strategy<Value = Case> {
    prop_oneof![
        1 => Just(Case { seed: "csv", edit: Edit::None, bytes: seed.as_bytes().to_vec() }),
        2 => any::<Index>().prop_map(move |at| Case {
            seed: "csv",
            bytes: seed.as_bytes()[..at.index(seed.len() + 1)].to_vec(),
            edit: Edit::Truncate(at),
        }),
        2 => vec(byte_edit(), 1..8).prop_map(move |edits| Case {
            seed: "csv",
            bytes: apply_bytes(seed.as_bytes().to_vec(), &edits),
            edit: Edit::Bytes(edits),
        }),
        6 => vec(csv_edit(), 1..5).prop_map(move |edits| Case {
            seed: "csv",
            bytes: apply_csv(seed, &edits),
            edit: Edit::Cells(edits),
        }),
        1 => vec(any::<u8>(), 0..1024).prop_map(|bytes| Case {
            seed: "random bytes",
            edit: Edit::None,
            bytes,
        }),
    ]
}
