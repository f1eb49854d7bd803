//! `report_version`: one counter per org that moves whenever anything a profit report reads
//! changes, so the server can keep exact answers in memory keyed by it (issue 15; the cache is
//! `server/src/pnl/cache.rs`). A report reads the org's settings, its shops' names, creators,
//! products, unit costs, listings, FX rates and the ledger's sums:
//!
//! - the sums (`ledger_day`, `ledger_week`, `ledger_month`) are written by the ledger module
//!   alone, which moves the counter in the posting's own transaction (`ledger/rollup.rs`), once
//!   per posting rather than once per row;
//! - every other input moves it by a trigger on its table, created here, so no write path (the
//!   API, a sync, an import, the CLI, or an operator's SQL) can change a report's answer without
//!   moving the counter in the same transaction.
//!
//! Each org has its row from its creation (a trigger on `org`); the rows of existing orgs are
//! created here. The cache keeps nothing for an org without a row.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::util::{col, drop_all, fk, id, run_on_backend};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// Tables whose every change can change a report, with the columns an update must touch to
/// count (none: any column).
const INPUTS: &[(&str, &[&str])] = &[
    ("shop", &["name"]),
    ("creator", &[]),
    ("product", &[]),
    ("product_cost", &[]),
    ("listing", &[]),
    ("fx_rate", &[]),
];

/// The org's own settings a report reads.
const ORG_COLUMNS: &[&str] = &["currency", "time_zone", "ad_allocation"];

/// The statement that moves the version of the org whose id is `org_id` (an SQL expression: a
/// number, or a trigger's `NEW.org_id`); the ledger module runs it once per posting.
pub fn report_version_bump(org_id: &str) -> String {
    format!("UPDATE report_version SET version = version + 1 WHERE org_id = {org_id}")
}

/// `UPDATE`, or `UPDATE OF` the columns that count.
fn update_event(columns: &[&str]) -> String {
    if columns.is_empty() {
        "UPDATE".to_owned()
    } else {
        format!("UPDATE OF {}", columns.join(", "))
    }
}

fn sqlite_up() -> Vec<String> {
    let mut sql = vec![
        "CREATE TRIGGER trg_report_version_org_insert AFTER INSERT ON org BEGIN \
         INSERT INTO report_version (org_id, version) VALUES (NEW.id, 0); END"
            .to_owned(),
        format!(
            "CREATE TRIGGER trg_report_version_org_update AFTER UPDATE OF {} ON org BEGIN \
             {}; END",
            ORG_COLUMNS.join(", "),
            report_version_bump("NEW.id")
        ),
    ];
    for (table, columns) in INPUTS {
        let update = update_event(columns);
        for (event, name, row) in [
            ("INSERT".to_owned(), "insert", "NEW"),
            (update, "update", "NEW"),
            ("DELETE".to_owned(), "delete", "OLD"),
        ] {
            sql.push(format!(
                "CREATE TRIGGER trg_report_version_{table}_{name} AFTER {event} ON {table} \
                 BEGIN {}; END",
                report_version_bump(&format!("{row}.org_id"))
            ));
        }
    }
    sql
}

fn sqlite_down() -> Vec<String> {
    let mut sql = vec![
        "DROP TRIGGER IF EXISTS trg_report_version_org_insert".to_owned(),
        "DROP TRIGGER IF EXISTS trg_report_version_org_update".to_owned(),
    ];
    for (table, _) in INPUTS {
        for name in ["insert", "update", "delete"] {
            sql.push(format!(
                "DROP TRIGGER IF EXISTS trg_report_version_{table}_{name}"
            ));
        }
    }
    sql
}

fn postgres_up() -> Vec<String> {
    let mut sql = vec![
        format!(
            "CREATE FUNCTION pnl_report_version_org() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF TG_OP = 'INSERT' THEN \
                 INSERT INTO report_version (org_id, version) VALUES (NEW.id, 0); \
               ELSE \
                 {}; \
               END IF; \
               RETURN NULL; \
             END $$",
            report_version_bump("NEW.id")
        ),
        format!(
            "CREATE FUNCTION pnl_report_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF TG_OP = 'DELETE' THEN \
                 {}; \
               ELSE \
                 {}; \
               END IF; \
               RETURN NULL; \
             END $$",
            report_version_bump("OLD.org_id"),
            report_version_bump("NEW.org_id")
        ),
        format!(
            "CREATE TRIGGER trg_report_version_org AFTER INSERT OR UPDATE OF {} ON org \
             FOR EACH ROW EXECUTE FUNCTION pnl_report_version_org()",
            ORG_COLUMNS.join(", ")
        ),
    ];
    for (table, columns) in INPUTS {
        let update = update_event(columns);
        sql.push(format!(
            "CREATE TRIGGER trg_report_version_{table} AFTER INSERT OR {update} OR DELETE \
             ON {table} FOR EACH ROW EXECUTE FUNCTION pnl_report_version_bump()"
        ));
    }
    sql
}

fn postgres_down() -> Vec<String> {
    let mut sql = vec!["DROP TRIGGER IF EXISTS trg_report_version_org ON org".to_owned()];
    for (table, _) in INPUTS {
        sql.push(format!(
            "DROP TRIGGER IF EXISTS trg_report_version_{table} ON {table}"
        ));
    }
    sql.push("DROP FUNCTION IF EXISTS pnl_report_version_bump()".to_owned());
    sql.push("DROP FUNCTION IF EXISTS pnl_report_version_org()".to_owned());
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(id("report_version"))
                    .col(col("org_id").big_integer().primary_key())
                    .col(col("version").big_integer().default(0))
                    .foreign_key(&mut fk("report_version", "org_id", "org"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO report_version (org_id, version) SELECT id, 0 FROM org",
            )
            .await?;
        run_on_backend(manager, postgres_up, sqlite_up).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_backend(manager, postgres_down, sqlite_down).await?;
        drop_all(manager, &["report_version"]).await
    }
}
