//! A statement file as a table: decoded from the mapping's character set, split by the `csv`
//! crate (the delimiter detected from the header when the mapping names none), with every
//! column the mapping names checked against the header before any data row is read.

use std::collections::HashMap;

use encoding_rs::Encoding;

use super::mapping::Checked;

/// The encoding of a label; `utf-8-bom` is UTF-8 (a BOM is always removed).
///
/// # Errors
/// A label encoding_rs does not know, in words.
pub fn encoding(label: &str) -> Result<&'static Encoding, String> {
    let label = label.trim().to_ascii_lowercase();
    let label = match label.as_str() {
        "utf-8-bom" | "utf8-bom" | "utf-8 bom" | "utf8" => "utf-8",
        "cp1252" => "windows-1252",
        "cp932" => "shift_jis",
        other => other,
    };
    Encoding::for_label(label.as_bytes()).ok_or_else(|| {
        format!(
            "file.encoding {label:?} is not a character set (utf-8, utf-8-bom, cp1252, latin1, \
             shift_jis, …)"
        )
    })
}

/// The file's text, decoded strictly: a byte the character set does not define refuses it.
///
/// # Errors
/// Bytes that are not in the mapping's character set, naming the first bad offset.
pub fn decode(bytes: &[u8], label: &str) -> Result<String, String> {
    let encoding = encoding(label)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if encoding == encoding_rs::UTF_8 {
        return std::str::from_utf8(body)
            .map(str::to_owned)
            .map_err(|error| {
                format!(
                    "not UTF-8 (invalid byte at offset {}); set file.encoding (cp1252, latin1, …)",
                    error.valid_up_to() + (bytes.len() - body.len())
                )
            });
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(std::borrow::Cow::into_owned)
        .ok_or_else(|| format!("not {} (a byte it does not define)", encoding.name()))
}

/// One data row: its file line and its cells (trimmed).
#[derive(Clone, Debug)]
pub struct Row {
    /// The file line it starts on (1-based).
    pub line: u64,
    /// Its cells.
    pub cells: Vec<String>,
}

/// The file as a header and rows.
#[derive(Clone, Debug)]
pub struct Table {
    /// Column name → index.
    pub columns: HashMap<String, usize>,
    /// The header as written.
    pub header: Vec<String>,
    /// The data rows, blank rows left out.
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads `text` as `mapping` says.
    ///
    /// # Errors
    /// No header line, no delimiter under which the header has every column the mapping names
    /// (naming the missing ones), or a broken CSV record.
    pub fn read(text: &str, mapping: &Checked) -> Result<Self, String> {
        let wanted: Vec<(&str, &str)> = mapping.mapping.columns();
        let candidates: Vec<u8> = match mapping.delimiter {
            Some(delimiter) => vec![delimiter],
            None => vec![b',', b';', b'\t', b'|'],
        };
        let mut best: Option<(usize, u8, Vec<String>)> = None;
        for delimiter in candidates {
            let header = header_of(text, delimiter, mapping)?;
            let missing = missing(&header, &wanted).len();
            if best.as_ref().is_none_or(|(fewest, _, _)| missing < *fewest) {
                best = Some((missing, delimiter, header));
            }
        }
        let Some((_, delimiter, header)) = best else {
            return Err("no delimiter to try".to_owned());
        };
        let absent = missing(&header, &wanted);
        if !absent.is_empty() {
            let named: Vec<String> = absent
                .iter()
                .map(|(key, column)| format!("{column:?} ({key})"))
                .collect();
            return Err(format!(
                "row {}: the mapping names column(s) the file lacks: {}; the file's columns \
                 are: {}",
                mapping.mapping.file.header_row,
                named.join(", "),
                header.join(", ")
            ));
        }
        let columns = index(&header);
        let mut rows = Vec::new();
        // File lines come from each record's byte offset, counted incrementally: csv's own line
        // number lags by one after a CRLF (the offset is then the LF's, which the count takes).
        let (mut counted_to, mut newlines) = (0_usize, 0_u64);
        for record in reader(text, delimiter, mapping)
            .records()
            .skip(mapping.mapping.file.header_row)
        {
            let record = record.map_err(|error| error.to_string())?;
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
            // A cell of dashes only ("--" in Etsy-style exports, "—") says "nothing": empty.
            let cells: Vec<String> = record
                .iter()
                .map(|c| {
                    let c = c.trim();
                    if c.chars().all(|d| matches!(d, '-' | '–' | '—')) {
                        String::new()
                    } else {
                        c.to_owned()
                    }
                })
                .collect();
            if cells.iter().all(String::is_empty) {
                continue;
            }
            rows.push(Row { line, cells });
        }
        Ok(Self {
            columns,
            header,
            rows,
        })
    }

    /// The cell of `column` in `row` ("" when the row is shorter).
    pub fn get<'a>(&self, row: &'a Row, column: &str) -> &'a str {
        self.columns
            .get(column)
            .or_else(|| self.columns.get(&column.to_lowercase()))
            .and_then(|&index| row.cells.get(index))
            .map_or("", String::as_str)
    }
}

fn reader<'a>(text: &'a str, delimiter: u8, mapping: &Checked) -> csv::Reader<&'a [u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quote(mapping.quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

fn header_of(text: &str, delimiter: u8, mapping: &Checked) -> Result<Vec<String>, String> {
    let at = mapping.mapping.file.header_row;
    match reader(text, delimiter, mapping).records().nth(at - 1) {
        Some(Ok(record)) => Ok(record.iter().map(|c| c.trim().to_owned()).collect()),
        Some(Err(error)) => Err(format!("row {at}: {error}")),
        None => Err(format!(
            "row {at}: no header (the file has fewer lines than file.header_row)"
        )),
    }
}

/// Column name → index; a name is also found ignoring case when no column has its exact
/// spelling.
fn index(header: &[String]) -> HashMap<String, usize> {
    let mut columns = HashMap::new();
    for (at, name) in header.iter().enumerate().rev() {
        columns.insert(name.to_lowercase(), at);
    }
    for (at, name) in header.iter().enumerate().rev() {
        columns.insert(name.clone(), at);
    }
    columns
}

fn missing<'a>(header: &[String], wanted: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let columns = index(header);
    wanted
        .iter()
        .filter(|(_, column)| {
            !columns.contains_key(*column) && !columns.contains_key(&column.to_lowercase())
        })
        .copied()
        .collect()
}
