//! `sync_jobs_version`: one counter per org that moves whenever its sync jobs change what every
//! answer's `completeness` reads of them (a job added or removed; its shop, stream, cursor,
//! state, last error or last success), so the server keeps the jobs in memory by it as it keeps
//! the shops and ad accounts by `report_version` (issue 15: one query fewer per cached answer;
//! the report version and this one are read together). Columns no answer reads (progress,
//! schedule, lock) leave it alone.
//!
//! A table of its own, not a column of `report_version`: a posting holds its org's
//! `report_version` row until it commits, and a job's claim or finish (one statement each) would
//! then wait for it — or, in a transaction that updated a shop and then a job while a claim of
//! that job waited on the shop's version, deadlock. Only `sync_state`'s triggers write this
//! row. It is created by the first job of the org (a missing row reads as 0).

use sea_orm_migration::prelude::*;

use crate::util::{col, drop_all, fk, id, run_on_backend};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const TABLE: &str = "sync_jobs_version";

/// The `sync_state` columns an update must touch to move the jobs' version.
const COLUMNS: &str = "org_id, shop_id, stream, cursor, state, last_error, last_success_at";

/// SQLite: moves the jobs' version of the org whose id is the SQL expression `org`.
fn sqlite_bump(org: &str) -> String {
    format!(
        "INSERT OR IGNORE INTO {TABLE} (org_id, version) VALUES ({org}, 0); \
         UPDATE {TABLE} SET version = version + 1 WHERE org_id = {org};"
    )
}

/// PostgreSQL (in a PL/pgSQL body): the same.
fn postgres_bump(org: &str) -> String {
    format!(
        "INSERT INTO {TABLE} (org_id, version) VALUES ({org}, 1) \
         ON CONFLICT (org_id) DO UPDATE SET version = {TABLE}.version + 1;"
    )
}

fn sqlite_up() -> Vec<String> {
    let mut sql = Vec::new();
    for (event, name, body) in [
        ("INSERT".to_owned(), "insert", sqlite_bump("NEW.org_id")),
        (
            format!("UPDATE OF {COLUMNS}"),
            "update",
            format!(
                "{} {}",
                sqlite_bump("OLD.org_id"),
                sqlite_bump("NEW.org_id")
            ),
        ),
        ("DELETE".to_owned(), "delete", sqlite_bump("OLD.org_id")),
    ] {
        sql.push(format!(
            "CREATE TRIGGER trg_jobs_version_sync_state_{name} AFTER {event} ON sync_state \
             BEGIN {body} END"
        ));
    }
    sql
}

fn sqlite_down() -> Vec<String> {
    ["insert", "update", "delete"]
        .iter()
        .map(|name| format!("DROP TRIGGER IF EXISTS trg_jobs_version_sync_state_{name}"))
        .collect()
}

fn postgres_up() -> Vec<String> {
    vec![
        format!(
            "CREATE FUNCTION pnl_jobs_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF TG_OP = 'INSERT' THEN {} \
               ELSIF TG_OP = 'UPDATE' THEN {} {} \
               ELSE {} \
               END IF; \
               RETURN NULL; \
             END $$",
            postgres_bump("NEW.org_id"),
            postgres_bump("OLD.org_id"),
            postgres_bump("NEW.org_id"),
            postgres_bump("OLD.org_id")
        ),
        format!(
            "CREATE TRIGGER trg_jobs_version_sync_state AFTER INSERT OR UPDATE OF {COLUMNS} \
             OR DELETE ON sync_state FOR EACH ROW EXECUTE FUNCTION pnl_jobs_version_bump()"
        ),
    ]
}

fn postgres_down() -> Vec<String> {
    vec![
        "DROP TRIGGER IF EXISTS trg_jobs_version_sync_state ON sync_state".to_owned(),
        "DROP FUNCTION IF EXISTS pnl_jobs_version_bump()".to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(id(TABLE))
                    .col(col("org_id").big_integer().primary_key())
                    .col(col("version").big_integer().default(0))
                    .foreign_key(&mut fk(TABLE, "org_id", "org"))
                    .to_owned(),
            )
            .await?;
        run_on_backend(manager, postgres_up, sqlite_up).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_backend(manager, postgres_down, sqlite_down).await?;
        drop_all(manager, &[TABLE]).await
    }
}
