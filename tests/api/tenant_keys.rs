//! Every key of a tenant table leads with `org_id` (issue 15), so a host of many brands can
//! hash-distribute the ledger by org (Citus) or partition it by org (plain PostgreSQL).
//!
//! The test runs every migration on a fresh database of the backend under test, lists each table
//! with an `org_id` column (a tenant table) and every index and unique key on it (SQLite:
//! `pragma_index_list` / `pragma_index_info`; PostgreSQL: `pg_index`), and fails naming table,
//! index and columns when one does not start with `org_id`.
//!
//! Exempt:
//! - the primary key `id` (auto-increment). Citus would need it as `(org_id, id)`; that is the
//!   migration path written down in `docs/scale.md`, not a change made here.
//! - [`GLOBAL_LOOKUPS`]: the few indexes whose query does not know the org yet, because the
//!   looked-up value is what tells the org (a partner app's client id, an OAuth state value, a
//!   token id) or because the query spans orgs by design (the sync work queue, the sweep of
//!   expired OAuth states). Each is listed with its query; the test fails when one of them
//!   disappears, so the list cannot go stale.
//!
//! It also fails when a table other than `org` (the tenant itself) and the migration ledger has
//! no `org_id`: a table holding tenant data only through a parent could not be co-located.

use migration::{Migrator, MigratorTrait};
use pnl::db::Db;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crate::helpers::TestDb;

/// Indexes on tenant tables that cannot lead with `org_id`, and the query each serves.
const GLOBAL_LOOKUPS: &[(&str, &str, &str)] = &[
    (
        "api_client",
        "uq_api_client_client_id",
        "client-credentials grant: the client id tells the org (auth/partner.rs)",
    ),
    (
        "issued_token",
        "uq_issued_token_jti",
        "`pnl token revoke <jti>` finds a token without naming its org (auth/tokens.rs)",
    ),
    (
        "oauth_state",
        "uq_oauth_state_nonce_hash",
        "OAuth callback: the state value tells the org (connect/state.rs)",
    ),
    (
        "oauth_state",
        "ix_oauth_state_expires_at",
        "sweep of expired states across orgs (connect/state.rs)",
    ),
    (
        "sync_state",
        "ix_sync_state_due",
        "the sync work queue: any worker claims the most overdue job of any org (sync/claim.rs)",
    ),
];

/// Tables without `org_id`: the tenant itself and sea-orm's record of applied migrations.
const NOT_TENANT: &[&str] = &["org", "seaql_migrations"];

/// One index or unique key: table, name, columns in key order (`<expr>` for an expression),
/// whether it is the primary key.
#[derive(Debug)]
struct Key {
    table: String,
    name: String,
    columns: Vec<String>,
    primary: bool,
}

async fn query_rows(db: &Db, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.conn()
        .query_all(Statement::from_string(db.backend(), sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("catalogue query failed: {e}\n{sql}"))
}

/// Every table of the database, with whether it has an `org_id` column.
async fn tables(db: &Db) -> Vec<(String, bool)> {
    let sql = match db.backend() {
        DatabaseBackend::Postgres => {
            "SELECT c.relname AS name, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid \
               AND a.attname = 'org_id' AND NOT a.attisdropped) AS tenant \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY 1"
        }
        _ => {
            "SELECT m.name AS name, EXISTS (SELECT 1 FROM pragma_table_info(m.name) \
               WHERE name = 'org_id') AS tenant \
             FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1"
        }
    };
    query_rows(db, sql)
        .await
        .into_iter()
        .map(|row| {
            (
                row.try_get::<String>("", "name").unwrap(),
                row.try_get::<bool>("", "tenant").unwrap(),
            )
        })
        .collect()
}

/// Every index and unique key of the tenant tables.
async fn tenant_keys(db: &Db) -> Vec<Key> {
    let tenant: Vec<String> = tables(db)
        .await
        .into_iter()
        .filter_map(|(name, tenant)| tenant.then_some(name))
        .collect();
    let mut keys = Vec::new();
    match db.backend() {
        DatabaseBackend::Postgres => {
            // Unique constraints are unique indexes in PostgreSQL, so pg_index lists both.
            let sql = "SELECT t.relname AS tbl, i.relname AS idx, ix.indisprimary AS pk, \
                 array_to_string(ARRAY(SELECT COALESCE(a.attname::text, '<expr>') \
                   FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
                   LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                   ORDER BY k.ord), ',') AS cols \
               FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
               JOIN pg_class i ON i.oid = ix.indexrelid \
               JOIN pg_namespace n ON n.oid = t.relnamespace \
               WHERE n.nspname = current_schema() ORDER BY 1, 2";
            for row in query_rows(db, sql).await {
                let table: String = row.try_get("", "tbl").unwrap();
                if tenant.contains(&table) {
                    let cols: String = row.try_get("", "cols").unwrap();
                    keys.push(Key {
                        table,
                        name: row.try_get("", "idx").unwrap(),
                        columns: cols.split(',').map(str::to_owned).collect(),
                        primary: row.try_get("", "pk").unwrap(),
                    });
                }
            }
        }
        _ => {
            // UNIQUE constraints appear as `sqlite_autoindex_*` entries of the index list.
            for table in tenant {
                let list = format!("SELECT name, origin FROM pragma_index_list('{table}')");
                for index in query_rows(db, &list).await {
                    let name: String = index.try_get("", "name").unwrap();
                    let origin: String = index.try_get("", "origin").unwrap();
                    let info = format!(
                        "SELECT COALESCE(name, '<expr>') AS name FROM pragma_index_info('{name}') \
                         ORDER BY seqno"
                    );
                    let columns = query_rows(db, &info)
                        .await
                        .into_iter()
                        .map(|row| row.try_get::<String>("", "name").unwrap())
                        .collect();
                    keys.push(Key {
                        table: table.clone(),
                        name,
                        columns,
                        primary: origin == "pk",
                    });
                }
            }
        }
    }
    keys
}

/// The keys that break the rule: neither led by `org_id`, nor the primary key `id`, nor a listed
/// global lookup.
fn offenders(keys: &[Key]) -> Vec<String> {
    keys.iter()
        .filter(|key| key.columns.first().map(String::as_str) != Some("org_id"))
        .filter(|key| !(key.primary && key.columns == ["id"]))
        .filter(|key| {
            !GLOBAL_LOOKUPS
                .iter()
                .any(|(table, name, _)| key.table == *table && key.name == *name)
        })
        .map(|key| {
            format!(
                "{}.{} ({}) does not start with org_id",
                key.table,
                key.name,
                key.columns.join(", ")
            )
        })
        .collect()
}

async fn migrated() -> (TestDb, Db) {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    (test_db, db)
}

#[tokio::test]
async fn every_key_of_a_tenant_table_leads_with_org_id() {
    let (_test_db, db) = migrated().await;
    let keys = tenant_keys(&db).await;
    assert!(
        keys.iter()
            .any(|key| key.table == "ledger_entry" && key.name == "uq_ledger_entry_key_hash_seq"),
        "the catalogue query found none of ledger_entry's keys: {keys:?}"
    );
    let bad = offenders(&keys);
    assert!(
        bad.is_empty(),
        "keys not led by org_id:\n{}",
        bad.join("\n")
    );
    for (table, name, query) in GLOBAL_LOOKUPS {
        assert!(
            keys.iter()
                .any(|key| key.table == *table && key.name == *name),
            "{table}.{name} is listed as a global lookup ({query}) but no longer exists: \
             drop it from GLOBAL_LOOKUPS"
        );
    }
    db.close().await;
}

#[tokio::test]
async fn every_table_but_the_org_itself_carries_org_id() {
    let (_test_db, db) = migrated().await;
    let orphans: Vec<String> = tables(&db)
        .await
        .into_iter()
        .filter(|(name, tenant)| !tenant && !NOT_TENANT.contains(&name.as_str()))
        .map(|(name, _)| name)
        .collect();
    assert!(
        orphans.is_empty(),
        "tables without org_id (their rows could not be placed by org): {orphans:?}"
    );
    db.close().await;
}

#[tokio::test]
async fn an_index_not_led_by_org_id_is_reported_by_name() {
    let (_test_db, db) = migrated().await;
    db.conn()
        .execute_unprepared("CREATE INDEX ix_probe_payout ON ledger_entry (payout_id, org_id)")
        .await
        .unwrap();
    let bad = offenders(&tenant_keys(&db).await);
    assert_eq!(
        bad,
        ["ledger_entry.ix_probe_payout (payout_id, org_id) does not start with org_id"]
    );
    db.close().await;
}
