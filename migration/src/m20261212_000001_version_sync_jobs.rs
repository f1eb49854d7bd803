//! A second counter in `report_version` (migration `m20261206_000001`): `jobs_version` moves
//! whenever an org's sync jobs change what every answer's `completeness` reads of them (a job
//! added or removed; its shop, stream, cursor, state, last error or last success), so the
//! server keeps the jobs in memory by it as it keeps the shops and ad accounts by `version`
//! (issue 15: one query fewer per cached answer). It is a counter of its own because jobs move
//! on their own clock — a running sync moves its cursor every page — and a report's answer does
//! not read them. Columns no answer reads (progress, schedule, lock) leave it alone.

use sea_orm_migration::prelude::*;

use crate::util::run_on_backend;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// The `sync_state` columns an update must touch to move the jobs' version.
const COLUMNS: &str = "org_id, shop_id, stream, cursor, state, last_error, last_success_at";

/// Moves the jobs' version of the orgs whose ids are the SQL expressions `orgs`.
fn bump(orgs: &str) -> String {
    format!("UPDATE report_version SET jobs_version = jobs_version + 1 WHERE org_id IN ({orgs})")
}

const ADD: &str = "ALTER TABLE report_version ADD COLUMN jobs_version BIGINT NOT NULL DEFAULT 0";
const DROP: &str = "ALTER TABLE report_version DROP COLUMN jobs_version";

fn sqlite_up() -> Vec<String> {
    let mut sql = vec![ADD.to_owned()];
    for (event, name, orgs) in [
        ("INSERT".to_owned(), "insert", "NEW.org_id"),
        (
            format!("UPDATE OF {COLUMNS}"),
            "update",
            "OLD.org_id, NEW.org_id",
        ),
        ("DELETE".to_owned(), "delete", "OLD.org_id"),
    ] {
        sql.push(format!(
            "CREATE TRIGGER trg_jobs_version_sync_state_{name} AFTER {event} ON sync_state \
             BEGIN {}; END",
            bump(orgs)
        ));
    }
    sql
}

fn sqlite_down() -> Vec<String> {
    let mut sql: Vec<String> = ["insert", "update", "delete"]
        .iter()
        .map(|name| format!("DROP TRIGGER IF EXISTS trg_jobs_version_sync_state_{name}"))
        .collect();
    sql.push(DROP.to_owned());
    sql
}

fn postgres_up() -> Vec<String> {
    vec![
        ADD.to_owned(),
        format!(
            "CREATE FUNCTION pnl_jobs_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF TG_OP = 'INSERT' THEN {}; \
               ELSIF TG_OP = 'UPDATE' THEN {}; \
               ELSE {}; \
               END IF; \
               RETURN NULL; \
             END $$",
            bump("NEW.org_id"),
            bump("OLD.org_id, NEW.org_id"),
            bump("OLD.org_id")
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
        DROP.to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_backend(manager, postgres_up, sqlite_up).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_backend(manager, postgres_down, sqlite_down).await
    }
}
