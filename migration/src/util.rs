//! Small builders shared by the migrations so that every table has the same id and timestamp
//! shape and every foreign key and index carries a name.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, QueryResult, TransactionTrait};

/// An identifier from a plain name.
pub(crate) fn id(name: &str) -> Alias {
    Alias::new(name)
}

/// `id BIGINT` auto-increment primary key (`bigserial` on PostgreSQL, `INTEGER` rowid on SQLite).
pub(crate) fn pk(table: &str) -> TableCreateStatement {
    Table::create()
        .table(id(table))
        .col(
            ColumnDef::new(id("id"))
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .to_owned()
}

/// A `NOT NULL` column of the given kind.
pub(crate) fn col(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).not_null().to_owned()
}

/// A nullable column.
pub(crate) fn null(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).null().to_owned()
}

/// `org_id BIGINT NOT NULL REFERENCES org(id)`, named `fk_<table>_org`.
pub(crate) fn with_org(table: &mut TableCreateStatement, name: &str) {
    table.col(col("org_id").big_integer());
    table.foreign_key(&mut fk(name, "org_id", "org"));
}

/// A named foreign key `fk_<table>_<target>` from `column` to `target(id)`.
pub(crate) fn fk(table: &str, column: &str, target: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{}", column.trim_end_matches("_id")))
        .from(id(table), id(column))
        .to(id(target), id("id"))
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

/// A named index over `columns`.
pub(crate) fn index(
    name: &str,
    table: &str,
    columns: &[&str],
    unique: bool,
) -> IndexCreateStatement {
    let mut stmt = Index::create().name(name).table(id(table)).to_owned();
    for column in columns {
        stmt.col(id(column));
    }
    if unique {
        stmt.unique();
    }
    stmt
}

/// `created_at TIMESTAMPTZ NOT NULL`.
pub(crate) fn created_at() -> ColumnDef {
    col("created_at").timestamp_with_time_zone().to_owned()
}

/// Creates `tables` in order, then `indexes`.
pub(crate) async fn create_all(
    manager: &SchemaManager<'_>,
    tables: Vec<TableCreateStatement>,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    for table in tables {
        manager.create_table(table).await?;
    }
    for index in indexes {
        manager.create_index(index).await?;
    }
    Ok(())
}

/// Drops `tables` in the given order (dependents first).
pub(crate) async fn drop_all(manager: &SchemaManager<'_>, tables: &[&str]) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(id(table)).to_owned())
            .await?;
    }
    Ok(())
}

/// Adds column `name` to `table`, of type `sqlite` or `postgres` by backend. SQLite adds a
/// `NOT NULL` column only with a default (so `sqlite` carries one, and the caller writes every
/// row); PostgreSQL adds it nullable and [`set_not_null`] tightens it once every row is filled.
pub(crate) async fn add_column(
    db: &impl ConnectionTrait,
    table: &str,
    name: &str,
    (sqlite, postgres): (&str, &str),
) -> Result<(), DbErr> {
    let kind = match db.get_database_backend() {
        DatabaseBackend::Sqlite => sqlite,
        _ => postgres,
    };
    db.execute_unprepared(&format!("ALTER TABLE {table} ADD COLUMN {name} {kind}"))
        .await?;
    Ok(())
}

/// Drops column `name` of `table` (SQLite has `DROP COLUMN` since 3.35, for a column no index
/// covers).
pub(crate) async fn drop_column(
    db: &impl ConnectionTrait,
    table: &str,
    name: &str,
) -> Result<(), DbErr> {
    let drop = Table::alter()
        .table(id(table))
        .drop_column(id(name))
        .to_owned();
    db.execute(db.get_database_backend().build(&drop)).await?;
    Ok(())
}

/// On PostgreSQL, `NOT NULL` on column `name` of `table`, which every row now fills (on SQLite
/// [`add_column`] made it so already).
pub(crate) async fn set_not_null(
    db: &impl ConnectionTrait,
    table: &str,
    name: &str,
) -> Result<(), DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared(&format!(
            "ALTER TABLE {table} ALTER COLUMN {name} SET NOT NULL"
        ))
        .await?;
    }
    Ok(())
}

/// Runs `statements` in order in one transaction (a savepoint inside the migrator's), so on
/// one connection: a trigger dropped and created again under its name on two connections of a
/// SQLite pool failed with "already exists" (the second connection's schema was stale).
pub(crate) async fn run_all(
    manager: &SchemaManager<'_>,
    statements: Vec<String>,
) -> Result<(), DbErr> {
    let txn = manager.get_connection().begin().await?;
    for statement in statements {
        txn.execute_unprepared(&statement).await?;
    }
    txn.commit().await
}

/// Runs `postgres()` or `sqlite()`, whichever fits the database, with [`run_all`].
pub(crate) async fn run_on_backend(
    manager: &SchemaManager<'_>,
    postgres: impl FnOnce() -> Vec<String>,
    sqlite: impl FnOnce() -> Vec<String>,
) -> Result<(), DbErr> {
    let statements = match manager.get_database_backend() {
        DatabaseBackend::Postgres => postgres(),
        _ => sqlite(),
    };
    run_all(manager, statements).await
}

/// `ledger_entry` rows read, converted and written at a time by [`convert`] (at most three bind
/// parameters each in the update).
const BATCH: u64 = 2000;

const LEDGER: &str = "ledger_entry";

/// Fills `targets` (column, PostgreSQL type) on every row of `ledger_entry`, in batches by id,
/// from the row's `columns`: `change` returns one value per target.
pub(crate) async fn convert<F>(
    db: &impl ConnectionTrait,
    columns: &[&str],
    targets: &[(&str, &str)],
    change: F,
) -> Result<(), DbErr>
where
    F: Fn(i64, &QueryResult) -> Result<Vec<Value>, DbErr>,
{
    let backend = db.get_database_backend();
    let mut after = i64::MIN;
    let mut converted = 0_u64;
    loop {
        // Table-qualified names: on SQLite an unknown bare "name" silently reads as a string.
        let select = Query::select()
            .column((id(LEDGER), id("id")))
            .columns(columns.iter().map(|c| (id(LEDGER), id(c))))
            .from(id(LEDGER))
            .and_where(Expr::col((id(LEDGER), id("id"))).gt(after))
            .order_by((id(LEDGER), id("id")), Order::Asc)
            .limit(BATCH)
            .to_owned();
        let rows = db.query_all(backend.build(&select)).await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("", "id")?;
        let mut values = Vec::with_capacity(rows.len() * (targets.len() + 1));
        for row in &rows {
            let row_id: i64 = row.try_get("", "id")?;
            values.push(Value::from(row_id));
            values.extend(change(row_id, row)?);
        }
        write(db, targets, values).await?;
        converted += rows.len() as u64;
    }
    // The ALTER above locked the table, so no row came in meanwhile; checked all the same.
    let count = Query::select()
        .expr(Expr::col(id("id")).count())
        .from(id(LEDGER))
        .to_owned();
    let total: i64 = match db.query_one(backend.build(&count)).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    if <u64 as TryFrom<i64>>::try_from(total).ok() != Some(converted) {
        return Err(DbErr::Migration(format!(
            "ledger_entry: {converted} of {total} rows converted; nothing was converted"
        )));
    }
    Ok(())
}

/// One statement per batch: `values` holds, per row, its id and then one value per target.
async fn write(
    db: &impl ConnectionTrait,
    targets: &[(&str, &str)],
    values: Vec<Value>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let width = targets.len() + 1;
    let tuples: Vec<String> = (0..values.len() / width)
        .map(|row| {
            let cells: Vec<String> = std::iter::once("BIGINT")
                .chain(targets.iter().map(|(_, kind)| *kind))
                .enumerate()
                .map(|(column, kind)| match backend {
                    DatabaseBackend::Postgres => {
                        format!("CAST(${} AS {kind})", row * width + column + 1)
                    }
                    _ => "?".to_owned(),
                })
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    let set: Vec<String> = targets
        .iter()
        .enumerate()
        .map(|(column, (name, _))| format!("{name} = v.column{}", column + 2))
        .collect();
    // `VALUES` names its columns column1, column2, … on both databases.
    let sql = format!(
        "UPDATE ledger_entry SET {} FROM (VALUES {}) AS v WHERE ledger_entry.id = v.column1",
        set.join(", "),
        tuples.join(", ")
    );
    db.execute(sea_orm_migration::sea_orm::Statement::from_sql_and_values(
        backend, sql, values,
    ))
    .await?;
    Ok(())
}

/// The SQLite statements that give `ledger_entry` new columns in place of old ones, as SQLite
/// cannot change a column's type: per `(column, type, value)`, a column `{column}_new` of `type`
/// is added, one `UPDATE` fills every one of them with its `value` (SQL over the old columns),
/// then each old column is dropped and the new one takes its name. No index may cover them.
pub(crate) fn sqlite_replace_columns(columns: &[(&str, String, String)]) -> Vec<String> {
    let mut statements: Vec<String> = columns
        .iter()
        .map(|(column, kind, _)| format!("ALTER TABLE {LEDGER} ADD COLUMN {column}_new {kind}"))
        .collect();
    let sets: Vec<String> = columns
        .iter()
        .map(|(column, _, value)| format!("{column}_new = {value}"))
        .collect();
    statements.push(format!("UPDATE {LEDGER} SET {}", sets.join(", ")));
    for (column, _, _) in columns {
        statements.push(format!("ALTER TABLE {LEDGER} DROP COLUMN {column}"));
        statements.push(format!(
            "ALTER TABLE {LEDGER} RENAME COLUMN {column}_new TO {column}"
        ));
    }
    statements
}

/// Refuses the migration with the first ledger row `sql` finds, if any: `sql` selects its `id`
/// and `value` (as text), and the error reads "`column` `value` is `why`".
pub(crate) async fn refuse_first(
    db: &impl ConnectionTrait,
    sql: String,
    column: &str,
    why: &str,
) -> Result<(), DbErr> {
    let found = db
        .query_one(sea_orm_migration::sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await?;
    match found {
        None => Ok(()),
        Some(row) => {
            let id: i64 = row.try_get("", "id")?;
            let value: String = row.try_get("", "value")?;
            Err(refuse(id, &format!("{column} {value:?} is {why}")))
        }
    }
}

/// The error that refuses the migration because of ledger row `row`.
pub(crate) fn refuse(row: i64, why: &str) -> DbErr {
    DbErr::Migration(format!(
        "ledger_entry row {row}: {why}; nothing was converted"
    ))
}

/// A text column of `ledger_entry` held once per org in a dictionary table `(id, org_id, name)`,
/// the row keeping `{column}_id` (migrations `m20261207_000002` and `m20261211_000001`).
pub(crate) struct Dictionary {
    /// The dictionary table.
    pub(crate) table: &'static str,
    /// The text column of `ledger_entry` it replaces.
    pub(crate) column: &'static str,
    /// That column's type, for down.
    pub(crate) text_type: &'static str,
}

impl Dictionary {
    fn id_column(&self) -> String {
        format!("{}_id", self.column)
    }

    /// PostgreSQL's foreign key from the row to the dictionary.
    fn foreign_key(&self) -> String {
        format!("fk_{LEDGER}_{}", self.column)
    }
}

/// Creates `dictionary` with every distinct (org, text) of the ledger, points every line at its
/// entry and drops the text column. A failure leaves the caller's transaction to roll back.
pub(crate) async fn into_dictionary(
    txn: &impl ConnectionTrait,
    dictionary: &Dictionary,
) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    let Dictionary { table, column, .. } = *dictionary;
    let id_column = dictionary.id_column();
    let mut create = pk(table);
    with_org(&mut create, table);
    create.col(ColumnDef::new(id("name")).text().not_null());
    txn.execute(backend.build(&create)).await?;
    txn.execute(backend.build(&index(
        &format!("uq_{table}_org_name"),
        table,
        &["org_id", "name"],
        true,
    )))
    .await?;
    txn.execute_unprepared(&format!(
        "INSERT INTO {table} (org_id, name) \
         SELECT DISTINCT org_id, {column} FROM {LEDGER} ORDER BY org_id, {column}"
    ))
    .await?;
    add_column(
        txn,
        LEDGER,
        &id_column,
        ("BIGINT NOT NULL DEFAULT 0", "BIGINT"),
    )
    .await?;
    txn.execute_unprepared(&format!(
        "UPDATE {LEDGER} SET {id_column} = (SELECT s.id FROM {table} s \
         WHERE s.org_id = {LEDGER}.org_id AND s.name = {LEDGER}.{column})"
    ))
    .await?;
    set_not_null(txn, LEDGER, &id_column).await?;
    if backend == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!(
            "ALTER TABLE {LEDGER} ADD CONSTRAINT {} \
             FOREIGN KEY ({id_column}) REFERENCES {table} (id) ON DELETE RESTRICT",
            dictionary.foreign_key()
        ))
        .await?;
    }
    drop_column(txn, LEDGER, column).await
}

/// Undoes [`into_dictionary`]: every line holds its text again; the dictionary is dropped.
pub(crate) async fn out_of_dictionary(
    txn: &impl ConnectionTrait,
    dictionary: &Dictionary,
) -> Result<(), DbErr> {
    let Dictionary {
        table,
        column,
        text_type,
    } = *dictionary;
    let id_column = dictionary.id_column();
    add_column(
        txn,
        LEDGER,
        column,
        (&format!("{text_type} NOT NULL DEFAULT ''"), text_type),
    )
    .await?;
    txn.execute_unprepared(&format!(
        "UPDATE {LEDGER} SET {column} = \
         (SELECT s.name FROM {table} s WHERE s.id = {LEDGER}.{id_column})"
    ))
    .await?;
    set_not_null(txn, LEDGER, column).await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!(
            "ALTER TABLE {LEDGER} DROP CONSTRAINT {}",
            dictionary.foreign_key()
        ))
        .await?;
    }
    drop_column(txn, LEDGER, &id_column).await?;
    let drop = Table::drop().table(id(table)).to_owned();
    txn.execute(txn.get_database_backend().build(&drop)).await?;
    Ok(())
}
