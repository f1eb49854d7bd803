//! The statement mapping: a TOML document (serde, unknown keys refused) saying how to read one
//! kind of statement file and how its rows become ledger lines. The format is documented in the
//! README ("Statement files") with a full example; the built-in mappings in `builtin/` are
//! examples too.

use serde::Deserialize;

use crate::error::{Error, Result};

/// One statement mapping, as written in TOML.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementMapping {
    /// A name for messages (a built-in's name; a file's name when absent).
    #[serde(default)]
    pub name: Option<String>,
    /// What the mapping reads, in a sentence.
    #[serde(default)]
    pub description: Option<String>,
    /// How to read the file.
    #[serde(default)]
    pub file: FileSpec,
    /// The channel the lines belong to.
    pub channel: ChannelSpec,
    /// How rows become lines.
    pub rows: RowSpec,
    /// Where the payout (statement id and reported total) is.
    pub payout: PayoutSpec,
    /// Labels → buckets (and sign rules).
    #[serde(default)]
    pub labels: Vec<LabelRule>,
}

/// How to read the file's bytes and cells.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// `,`, `;`, `\t` (or `tab`), `|`; detected from the header when absent.
    #[serde(default)]
    pub delimiter: Option<String>,
    /// The quote character (default `"`).
    #[serde(default = "default_quote")]
    pub quote: String,
    /// A WHATWG encoding label: `utf-8` (a BOM is removed), `utf-8-bom`, `cp1252` /
    /// `windows-1252`, `latin1` / `iso-8859-1`, `shift_jis`, … (default `utf-8`).
    #[serde(default = "default_encoding")]
    pub encoding: String,
    /// The file line (1-based) holding the column names; lines above it are ignored.
    #[serde(default = "default_header_row")]
    pub header_row: usize,
    /// `1,234.56` (point) or `1.234,56` (comma).
    #[serde(default)]
    pub decimal: DecimalStyle,
    /// chrono formats tried in order (`%m/%d/%Y`, `%d.%m.%Y %H:%M`, …; `rfc3339` for ISO
    /// date-times with an offset). A date without a time is midnight UTC; times without an
    /// offset are UTC.
    #[serde(default = "default_date_formats")]
    pub date_formats: Vec<String>,
}

impl Default for FileSpec {
    fn default() -> Self {
        Self {
            delimiter: None,
            quote: default_quote(),
            encoding: default_encoding(),
            header_row: default_header_row(),
            decimal: DecimalStyle::default(),
            date_formats: default_date_formats(),
        }
    }
}

fn default_quote() -> String {
    "\"".to_owned()
}

fn default_encoding() -> String {
    "utf-8".to_owned()
}

fn default_header_row() -> usize {
    1
}

fn default_date_formats() -> Vec<String> {
    vec!["%Y-%m-%d".to_owned(), "rfc3339".to_owned()]
}

/// How a file writes decimals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum DecimalStyle {
    /// `1,234.56`.
    #[default]
    #[serde(rename = "1,234.56", alias = "point")]
    Point,
    /// `1.234,56`.
    #[serde(rename = "1.234,56", alias = "comma")]
    Comma,
}

/// The channel of the statement.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSpec {
    /// `WALMART`, `OTHER`, … (a channel enum name).
    pub channel: String,
    /// The channel as people call it (required for `OTHER`: `Etsy`, `eBay`, …); the shop an
    /// import creates is named after it.
    #[serde(default)]
    pub name: Option<String>,
}

/// One column, or several whose values are joined.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Columns {
    /// One column.
    One(String),
    /// Several columns.
    Many(Vec<String>),
}

impl Columns {
    /// The column names.
    pub fn names(&self) -> Vec<&str> {
        match self {
            Self::One(name) => vec![name.as_str()],
            Self::Many(names) => names.iter().map(String::as_str).collect(),
        }
    }
}

/// Whether a column writes money as the seller sees it, or costs as positive numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// + is money to the seller (the ledger's sign).
    #[default]
    AsWritten,
    /// + is money away from the seller (costs written as positive numbers): negated.
    Negate,
}

/// How rows become lines.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowSpec {
    /// The row's date.
    pub date: String,
    /// The channel's order id.
    #[serde(default)]
    pub order_id: Option<String>,
    /// The order line (kept in the idempotency key when listed there).
    #[serde(default)]
    pub order_line: Option<String>,
    /// The seller SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// The item's name.
    #[serde(default)]
    pub sku_name: Option<String>,
    /// Units (on PRODUCT_SALES lines).
    #[serde(default)]
    pub quantity: Option<String>,
    /// The label: one column, or several joined by `label_separator`.
    pub label: Columns,
    /// What joins several label columns (default ` / `); empty parts are left out.
    #[serde(default = "default_separator")]
    pub label_separator: String,
    /// The amount column (or give `amounts`).
    #[serde(default)]
    pub amount: Option<String>,
    /// Gross / fee / net columns instead of one amount.
    #[serde(default)]
    pub amounts: Option<AmountColumns>,
    /// The currency column (or give `currency_code`).
    #[serde(default)]
    pub currency: Option<String>,
    /// A fixed currency for files that name none.
    #[serde(default)]
    pub currency_code: Option<String>,
    /// A status column and which of its values are booked.
    #[serde(default)]
    pub status: Option<StatusSpec>,
    /// The sign of every amount unless a label rule says otherwise.
    #[serde(default)]
    pub sign: Sign,
    /// Rows that carry no money (sub-totals, notes, a footer): not booked, counted.
    #[serde(default)]
    pub skip: Vec<RowMatch>,
    /// The idempotency key of a row: a column such as a transaction key, or a set of columns
    /// that together name the row. Re-importing a row with the same values posts nothing.
    pub key: Columns,
}

fn default_separator() -> String {
    " / ".to_owned()
}

/// Gross, fee and net columns: the gross is booked under the row's label, the fee under
/// `fee_label`; the net, when given, must equal gross + fee (after signs).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountColumns {
    /// The gross amount.
    pub gross: String,
    /// The fee (empty cells are zero).
    #[serde(default)]
    pub fee: Option<String>,
    /// The net, checked against gross + fee.
    #[serde(default)]
    pub net: Option<String>,
    /// The fee line's label (default: the row's label followed by ` fee`).
    #[serde(default)]
    pub fee_label: Option<String>,
    /// The fee column's sign (`negate` when fees are written as positive numbers).
    #[serde(default)]
    pub fee_sign: Sign,
}

/// A status column: rows whose value is in `settled` are booked, rows in `ignore` are counted
/// and not booked, any other value refuses the row.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusSpec {
    /// The column.
    pub column: String,
    /// Values booked as SETTLED in the file's payout (case-insensitive).
    pub settled: Vec<String>,
    /// Values not booked (pending, cancelled, …).
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// A row that holds the payout rather than money.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowMatch {
    /// The column to look at.
    pub column: String,
    /// Its value on the summary row (case-insensitive).
    pub equals: String,
}

/// Where the statement's id and reported total are.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayoutSpec {
    /// The summary row; not booked as a line. Without one, every row carries the total.
    #[serde(default)]
    pub summary_row: Option<RowMatch>,
    /// The column holding the reported total (on the summary row, or the same on every row);
    /// none: the file reports no total and its payout stays NOT_REPORTED.
    #[serde(default)]
    pub total: Option<String>,
    /// The sign of the total (`negate` when the file writes a payout owed to the seller
    /// negative).
    #[serde(default)]
    pub total_sign: Sign,
    /// Columns whose values (dates written ISO) make the id; none: the file's name.
    #[serde(default)]
    pub id_columns: Vec<String>,
    /// Put before the id (default: the mapping's name).
    #[serde(default)]
    pub id_prefix: Option<String>,
    /// The period's first day.
    #[serde(default)]
    pub period_start: Option<String>,
    /// The period's last day.
    #[serde(default)]
    pub period_end: Option<String>,
}

/// One label → bucket rule.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelRule {
    /// The label as the file writes it (matched ignoring case and repeated spaces); a part
    /// (between `rows.label_separator`s) written `*` matches any value, e.g. `* / Product Tax`.
    pub label: String,
    /// The bucket (`PRODUCT_SALES`, `PLATFORM_COMMISSION`, …).
    pub bucket: String,
    /// Overrides `rows.sign` for this label.
    #[serde(default)]
    pub sign: Option<Sign>,
}

pub use super::rules::{fold, Checked};

impl StatementMapping {
    /// Parses a mapping; `origin` names it in messages.
    ///
    /// # Errors
    /// TOML that does not parse, an unknown key, or a value out of its vocabulary, named.
    pub fn parse(text: &str, origin: &str) -> Result<Checked> {
        let mut mapping: Self = toml::from_str(text)
            .map_err(|error| Error::bad_input(format!("mapping {origin}: {error}")))?;
        if mapping.name.is_none() {
            mapping.name = Some(origin.to_owned());
        }
        super::rules::check(mapping, origin)
    }

    /// Every column the mapping names, with the key that names it (for "missing column").
    pub fn columns(&self) -> Vec<(&'static str, &str)> {
        let rows = &self.rows;
        let mut out = vec![("rows.date", rows.date.as_str())];
        let optional = [
            ("rows.order_id", &rows.order_id),
            ("rows.order_line", &rows.order_line),
            ("rows.sku", &rows.sku),
            ("rows.sku_name", &rows.sku_name),
            ("rows.quantity", &rows.quantity),
            ("rows.amount", &rows.amount),
            ("rows.currency", &rows.currency),
            ("payout.period_start", &self.payout.period_start),
            ("payout.period_end", &self.payout.period_end),
        ];
        out.extend(
            optional
                .into_iter()
                .filter_map(|(key, column)| column.as_deref().map(|c| (key, c))),
        );
        out.extend(rows.label.names().into_iter().map(|c| ("rows.label", c)));
        out.extend(rows.key.names().into_iter().map(|c| ("rows.key", c)));
        if let Some(amounts) = &rows.amounts {
            out.push(("rows.amounts.gross", amounts.gross.as_str()));
            for (key, column) in [
                ("rows.amounts.fee", &amounts.fee),
                ("rows.amounts.net", &amounts.net),
            ] {
                out.extend(column.as_deref().map(|c| (key, c)));
            }
        }
        if let Some(status) = &rows.status {
            out.push(("rows.status.column", status.column.as_str()));
        }
        out.extend(
            rows.skip
                .iter()
                .map(|m| ("rows.skip.column", m.column.as_str())),
        );
        if let Some(summary) = &self.payout.summary_row {
            out.push(("payout.summary_row.column", summary.column.as_str()));
        }
        out.extend(self.payout.total.as_deref().map(|c| ("payout.total", c)));
        out.extend(
            self.payout
                .id_columns
                .iter()
                .map(|c| ("payout.id_columns", c.as_str())),
        );
        out
    }
}
