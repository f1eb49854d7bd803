//! The posting's multi-row inserts, one definition for both databases.
//!
//! SQLite takes a multi-row `INSERT … VALUES` with bound parameters. PostgreSQL takes the rows as
//! one JSON parameter, expanded by `json_populate_recordset(NULL::table, $1)` into rows of the
//! table's own type: a statement of thousands of rows binds one value and is parsed and planned
//! once, where `VALUES` binds 28 parameters a ledger row. The README's "The write path on
//! PostgreSQL" measures it: less CPU in pnl, the same ingest rate — there the rows'
//! foreign-key checks are the cost, not the statement.

use std::io::Write as _;

use chrono::SecondsFormat;
use sea_orm::sea_query::{Alias, Expr, Func, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, EntityTrait, Iterable, Statement, Value,
};

use crate::error::Result;

/// Rows per statement on PostgreSQL (a few MB of JSON).
const JSON_ROWS: usize = 5000;
/// Bound values per statement on SQLite (its limit is 32,766).
const SQLITE_VALUES: usize = 30_000;

/// Inserts `rows` into `table`: each row holds one value per column of `columns`, in order.
/// `on_conflict`, when given, applies to every statement.
///
/// # Errors
/// Database failures; a value of a type this module does not write (a programming error, named).
pub(super) async fn insert(
    db: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
    on_conflict: Option<&OnConflict>,
) -> Result<()> {
    let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
    let per_statement = if postgres {
        JSON_ROWS
    } else {
        (SQLITE_VALUES / columns.len().max(1)).max(1)
    };
    if !postgres && on_conflict.is_none() {
        return insert_sqlite(db, table, columns, rows, per_statement).await;
    }
    for chunk in rows.chunks(per_statement) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(table))
            .columns(columns.iter().map(|column| Alias::new(*column)));
        if postgres {
            let mut select = Query::select();
            select
                .columns(columns.iter().map(|column| Alias::new(*column)))
                .from_function(
                    Func::cust(Alias::new("json_populate_recordset")).args([
                        Expr::cust(format!("NULL::{table}")),
                        Expr::val(json(columns, chunk)?).cast_as(Alias::new("json")),
                    ]),
                    Alias::new("r"),
                );
            insert
                .select_from(select)
                .map_err(|error| anyhow::anyhow!("bulk insert into {table}: {error}"))?;
        } else {
            for row in chunk {
                insert
                    .values(row.iter().map(|value| sqlite_value(value).into()))
                    .map_err(|error| anyhow::anyhow!("bulk insert into {table}: {error}"))?;
            }
        }
        if let Some(conflict) = on_conflict {
            insert.on_conflict(conflict.clone());
        }
        db.execute(db.get_database_backend().build(&insert)).await?;
    }
    Ok(())
}

/// SQLite's plain inserts (no conflict clause): the statement's text is written once per chunk
/// size (so every full chunk is the same prepared statement) and the values bound as they are,
/// without building a query tree of every value first (ingest of TikTok statements ~20 % faster
/// in `pnl bench`, README).
async fn insert_sqlite(
    db: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
    per_statement: usize,
) -> Result<()> {
    let head = format!(
        "INSERT INTO \"{table}\" ({}) VALUES ",
        columns
            .iter()
            .map(|column| format!("\"{column}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let row = format!("({})", vec!["?"; columns.len()].join(", "));
    let mut sql = String::new();
    let mut rows_in_sql = 0;
    for chunk in rows.chunks(per_statement) {
        if chunk.len() != rows_in_sql {
            sql = head.clone() + &vec![row.as_str(); chunk.len()].join(", ");
            rows_in_sql = chunk.len();
        }
        let mut values = Vec::with_capacity(chunk.len() * columns.len());
        for row in chunk {
            if row.len() != columns.len() {
                return Err(anyhow::anyhow!(
                    "bulk insert into {table}: a row of {} values for {} columns",
                    row.len(),
                    columns.len()
                )
                .into());
            }
            values.extend(row.iter().map(sqlite_value));
        }
        db.execute(Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            sql.as_str(),
            values,
        ))
        .await?;
    }
    Ok(())
}

/// `value` as SQLite takes it: a time as whole Unix seconds (the only times written here are
/// `ledger_entry`'s, which SQLite holds so: [`super::time`]).
fn sqlite_value(value: &Value) -> Value {
    match value {
        Value::ChronoDateTimeUtc(Some(at)) => super::time::sqlite_seconds(**at),
        other => other.clone(),
    }
}

/// Inserts sea-orm active models: the columns are the entity's, less those the first row leaves
/// unset (the generated id); every row must set the same columns.
///
/// # Errors
/// As [`insert`].
pub(super) async fn insert_models<A>(db: &impl ConnectionTrait, rows: &[A]) -> Result<()>
where
    A: ActiveModelTrait,
{
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let columns: Vec<_> = <A::Entity as EntityTrait>::Column::iter()
        .filter(|column| !first.get(*column).is_not_set())
        .collect();
    let names: Vec<String> = columns
        .iter()
        .map(|column| sea_orm::IdenStatic::as_str(column).to_owned())
        .collect();
    let values: Vec<Vec<Value>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|column| {
                    row.get(*column).into_value().ok_or_else(|| {
                        anyhow::anyhow!(
                            "bulk insert: a row leaves column {} unset",
                            sea_orm::IdenStatic::as_str(column)
                        )
                    })
                })
                .collect::<std::result::Result<_, _>>()
        })
        .collect::<std::result::Result<_, _>>()?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let entity = A::Entity::default();
    insert(
        db,
        sea_orm::EntityName::table_name(&entity),
        &names,
        &values,
        None,
    )
    .await
}

/// The rows as a JSON array of objects keyed by column name, each value in the text form
/// PostgreSQL's input functions read (`bytea` as `\x…` hex, times as RFC 3339 to the
/// microsecond, which is what PostgreSQL stores).
fn json(columns: &[&str], rows: &[Vec<Value>]) -> Result<String> {
    // Each key once, quoted and escaped, followed by its colon.
    let keys: Vec<String> = columns
        .iter()
        .map(|column| Ok(format!("{}:", serde_json::to_string(column)?)))
        .collect::<std::result::Result<_, serde_json::Error>>()
        .map_err(|error| anyhow::anyhow!("bulk insert: {error}"))?;
    let mut out = Vec::with_capacity(rows.len() * 32 * columns.len().max(1));
    out.push(b'[');
    for (index, row) in rows.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.push(b'{');
        for (position, ((column, key), value)) in columns.iter().zip(&keys).zip(row).enumerate() {
            if position > 0 {
                out.push(b',');
            }
            out.extend_from_slice(key.as_bytes());
            let written = write_value(&mut out, value)
                .map_err(|error| anyhow::anyhow!("bulk insert: {error}"))?;
            if !written {
                return Err(anyhow::anyhow!(
                    "bulk insert: column {column} holds a value of a type it does not write \
                     ({value:?})"
                )
                .into());
            }
        }
        out.push(b'}');
    }
    out.push(b']');
    Ok(String::from_utf8(out).map_err(|error| anyhow::anyhow!("bulk insert: {error}"))?)
}

/// Writes one value; false for a type this module does not write.
fn write_value(out: &mut Vec<u8>, value: &Value) -> std::io::Result<bool> {
    match value {
        Value::Bool(Some(v)) => write!(out, "{v}")?,
        Value::SmallInt(Some(v)) => write!(out, "{v}")?,
        Value::Int(Some(v)) => write!(out, "{v}")?,
        Value::BigInt(Some(v)) => write!(out, "{v}")?,
        // serde_json escapes exactly what JSON requires.
        Value::String(Some(v)) => serde_json::to_writer(&mut *out, v.as_str())?,
        Value::Bytes(Some(v)) => {
            out.extend_from_slice(b"\"\\\\x");
            for byte in v.iter() {
                write!(out, "{byte:02x}")?;
            }
            out.push(b'"');
        }
        Value::ChronoDateTimeUtc(Some(v)) => write!(
            out,
            "\"{}\"",
            v.to_rfc3339_opts(SecondsFormat::Micros, true)
        )?,
        Value::ChronoDate(Some(v)) => write!(out, "\"{}\"", v.format("%Y-%m-%d"))?,
        Value::Bool(None)
        | Value::SmallInt(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::String(None)
        | Value::Bytes(None)
        | Value::ChronoDateTimeUtc(None)
        | Value::ChronoDate(None) => out.extend_from_slice(b"null"),
        _ => return Ok(false),
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;

    #[test]
    fn json_writes_each_type_as_postgres_reads_it() {
        let at = Utc
            .with_ymd_and_hms(2026, 3, 1, 12, 30, 5)
            .single()
            .unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        let rows = vec![
            vec![
                Value::BigInt(Some(-7)),
                Value::Int(Some(3)),
                Value::Bool(Some(true)),
                Value::String(Some(Box::new("a \"quoted\" \\ key\n".into()))),
                Value::Bytes(Some(Box::new(vec![0, 0xab, 0x10]))),
                Value::ChronoDateTimeUtc(Some(Box::new(at))),
                Value::ChronoDate(Some(Box::new(
                    NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(),
                ))),
                Value::SmallInt(Some(-2)),
            ],
            vec![
                Value::BigInt(None),
                Value::Int(None),
                Value::Bool(None),
                Value::String(None),
                Value::Bytes(None),
                Value::ChronoDateTimeUtc(None),
                Value::ChronoDate(None),
                Value::SmallInt(None),
            ],
        ];
        let columns = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let text = json(&columns, &rows).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!([
                {
                    "a": -7, "b": 3, "c": true, "d": "a \"quoted\" \\ key\n",
                    "e": "\\x00ab10", "f": "2026-03-01T12:30:05.123456Z", "g": "2026-02-28",
                    "h": -2
                },
                {
                    "a": null, "b": null, "c": null, "d": null, "e": null, "f": null, "g": null,
                    "h": null
                }
            ])
        );
    }

    #[test]
    fn json_names_the_column_of_a_type_it_does_not_write() {
        let error = json(&["price"], &[vec![Value::Double(Some(1.5))]]).unwrap_err();
        assert!(error.to_string().contains("column price"), "{error}");
    }
}
