//! The crash test's view of a ledger: what must come out the same from any run of the demo,
//! described by channel ids (row ids depend on which job ran first), and the checks that must
//! hold within one run.

use std::collections::BTreeMap;

use migration::vocabulary::{text_sql, BUCKETS, STATUSES};
use pnl::connectors::PayoutKind;
use pnl::db::Db;
use pnl::payout::{list, PayoutFilter, ReconcileStatus};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

/// What must come out the same from any run: current lines per entry key, sums per bucket and
/// product, and the number of statements (each of them MATCHED).
#[derive(Debug, PartialEq)]
pub(super) struct Ledger {
    pub(super) current: BTreeMap<String, String>,
    pub(super) sums: BTreeMap<String, i64>,
    pub(super) statements: usize,
}

async fn rows(db: &Db, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.conn()
        .query_all(Statement::from_string(db.backend(), sql))
        .await
        .unwrap()
}

/// Reads the ledger of the demo's org and checks what must hold within one run.
pub(super) async fn ledger(db: &Db) -> Ledger {
    let int = if db.backend() == DatabaseBackend::Postgres {
        "BIGINT"
    } else {
        "INTEGER"
    };
    // Current: neither a reversal nor reversed. Described by what it means, with the channel's
    // ids for shop, listing, creator and payout: row ids depend on which job ran first.
    // The stored codes read as their text.
    let bucket = text_sql(BUCKETS, "e.bucket");
    let status = text_sql(STATUSES, "e.status");
    let lines = rows(
        db,
        &format!("SELECT e.packed_key, e.source_id, e.amount_minor, e.currency, {bucket} AS bucket, n.name AS label, e.mapped, {status} AS status, \
                e.quantity, e.occurred_at, e.order_id, e.order_line, COALESCE(p.sku, '') AS sku, \
                COALESCE(s.external_id, '') AS shop, COALESCE(l.channel_sku_id, '') AS listing, \
                COALESCE(c.handle, '') AS creator, COALESCE(y.external_id, '') AS payout \
         FROM ledger_entry e JOIN ledger_label n ON n.id = e.label_id \
              LEFT JOIN product p ON p.id = e.product_id LEFT JOIN shop s ON s.id = e.shop_id \
              LEFT JOIN listing l ON l.id = e.listing_id \
              LEFT JOIN creator c ON c.id = e.creator_id LEFT JOIN payout y ON y.id = e.payout_id \
         WHERE e.reversal_of IS NULL \
           AND NOT EXISTS (SELECT 1 FROM ledger_entry r WHERE r.reversal_of = e.id)"),
    )
    .await;
    let mut current = BTreeMap::new();
    for row in &lines {
        let text = |column: &str| row.try_get::<String>("", column).unwrap();
        let order_id = row.try_get::<Option<String>>("", "order_id").unwrap();
        let order_line = row.try_get::<Option<String>>("", "order_line").unwrap();
        let key = pnl::ledger::packed_key::unpack(
            &text("packed_key"),
            pnl::ledger::packed_key::KeyParts {
                source_id: &text("source_id"),
                order_id: order_id.as_deref(),
                order_line: order_line.as_deref(),
                label: &text("label"),
            },
        )
        .unwrap();
        let value = format!(
            "{} {} {} {} mapped={} {} qty={} at={} order={:?}/{:?} sku={} shop={} listing={} \
             creator={} payout={}",
            row.try_get::<i64>("", "amount_minor").unwrap(),
            text("currency"),
            text("bucket"),
            text("label"),
            row.try_get::<bool>("", "mapped").unwrap(),
            text("status"),
            row.try_get::<i32>("", "quantity").unwrap(),
            row.try_get::<chrono::DateTime<chrono::Utc>>("", "occurred_at")
                .unwrap()
                .timestamp(),
            order_id,
            order_line,
            text("sku"),
            text("shop"),
            text("listing"),
            text("creator"),
            text("payout"),
        );
        let before = current.insert(key.clone(), value);
        assert!(before.is_none(), "entry key {key} has two current lines");
    }
    let doubled = rows(
        db,
        "SELECT key_hash FROM ledger_entry GROUP BY org_id, key_hash, seq HAVING COUNT(*) > 1",
    )
    .await;
    assert!(
        doubled.is_empty(),
        "{} entry keys posted twice",
        doubled.len()
    );

    let mut sums = BTreeMap::new();
    let sql = format!(
        "SELECT {bucket} AS bucket, COALESCE(p.sku, '') AS sku, e.currency, \
                CAST(SUM(e.amount_minor) AS {int}) AS total \
         FROM ledger_entry e LEFT JOIN product p ON p.id = e.product_id \
         GROUP BY e.bucket, COALESCE(p.sku, ''), e.currency"
    );
    for row in rows(db, &sql).await {
        let key = format!(
            "{} {} {}",
            row.try_get::<String>("", "bucket").unwrap(),
            row.try_get::<String>("", "sku").unwrap(),
            row.try_get::<String>("", "currency").unwrap()
        );
        sums.insert(key, row.try_get::<i64>("", "total").unwrap());
    }
    // The monthly rollup is written with the lines, so it cannot lag them after a kill.
    let by_bucket = |table: &str| {
        let (bucket, only) = if table == "ledger_entry" {
            (text_sql(BUCKETS, "t.bucket"), "WHERE day IS NOT NULL")
        } else {
            ("t.bucket".to_owned(), "")
        };
        format!(
            "SELECT bucket, currency, total FROM (SELECT {bucket} AS bucket, t.currency, \
             CAST(SUM(t.amount_minor) AS {int}) AS total FROM {table} t {only} \
             GROUP BY t.bucket, t.currency) u ORDER BY bucket, currency"
        )
    };
    let totals = |rows: Vec<sea_orm::QueryResult>| -> Vec<(String, String, i64)> {
        rows.iter()
            .map(|r| {
                (
                    r.try_get("", "bucket").unwrap(),
                    r.try_get("", "currency").unwrap(),
                    r.try_get("", "total").unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        totals(rows(db, &by_bucket("ledger_month")).await),
        totals(rows(db, &by_bucket("ledger_entry")).await),
        "the monthly rollup differs from the lines"
    );

    let org = pnl::org::find(db.conn(), "demo").await.unwrap().unwrap();
    let (payouts, _) = list(db.conn(), org.id, &PayoutFilter::default(), None, 100_000)
        .await
        .unwrap();
    for payout in &payouts {
        // The Amazon seller's last event group is still open: its total is a running balance.
        if payout.status == ReconcileStatus::Open {
            continue;
        }
        assert_eq!(
            payout.status,
            ReconcileStatus::Matched,
            "payout {} ledger {} reported {:?}",
            payout.external_id,
            payout.ledger,
            payout.reported
        );
    }
    let statements = payouts
        .iter()
        .filter(|p| p.kind == PayoutKind::Statement)
        .count();
    Ledger {
        current,
        sums,
        statements,
    }
}

/// At most ten differences between two ledgers, in words.
pub(super) fn differences(clean: &Ledger, other: &Ledger) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in &clean.current {
        match other.current.get(key) {
            None => out.push(format!("missing line {key}: {value}")),
            Some(v) if v != value => out.push(format!("line {key}: {value} became {v}")),
            Some(_) => {}
        }
    }
    for key in other
        .current
        .keys()
        .filter(|k| !clean.current.contains_key(*k))
    {
        out.push(format!("extra line {key}"));
    }
    for (key, total) in &clean.sums {
        if other.sums.get(key) != Some(total) {
            out.push(format!(
                "sum {key}: {total} became {:?}",
                other.sums.get(key)
            ));
        }
    }
    if clean.statements != other.statements {
        out.push(format!(
            "{} statements became {}",
            clean.statements, other.statements
        ));
    }
    out.truncate(10);
    out
}
