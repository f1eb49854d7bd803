//! Migration `m20261207_000001_hash_ledger_keys` on a database written by the schema before it:
//! a line the old code stored (a 64-digit hex content hash, no key hash) is found again by its
//! key and reads as unchanged when it comes again; every row survives up and down unchanged
//! (down recomputes the full hex from the row's columns, and a reversal's from the row it
//! cancels); a row whose hash is not hex refuses the migration and changes nothing.

use chrono::{TimeZone, Utc};
use migration::{Migrator, MigratorTrait};
use pnl::db::Db;
use pnl::ledger::{self, FeeBucket, NewLine, PostOutcome};
use pnl::money::Money;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Statement};
use sha2::{Digest, Sha256};

use crate::helpers::{
    execute, ledger_column, ledger_entries, migrations_before, migrations_from, post_to,
    unmapped_line, without_dictionary_ids, TestDb,
};

const MIGRATION: &str = "m20261207_000001_hash_ledger_keys";

/// How many migrations come before this one.
fn before() -> u32 {
    migrations_before(MIGRATION)
}

/// The line of `pnl::ledger::content`'s pinned hash without shop, listing and payout: its
/// canonical text is known, so the hex the old code stored for it can be written here without
/// the server's help.
fn pinned_line(key: &str) -> NewLine {
    NewLine {
        occurred_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        ..unmapped_line(key, -123)
    }
}

/// What the old code stored as the pinned line's content hash.
fn pinned_hex() -> String {
    hex::encode(Sha256::digest(
        "None|TIKTOK_SHOP|Some(\"o-1\")|None|None|None|OTHER|brand_new_fee_amount|false|-123|USD|0|1767323045|SETTLED|None",
    ))
}

/// An org and one old-schema ledger row of the pinned line (hex hash `hash`), in plain SQL.
async fn old_row(db: &Db, key: &str, hash: &str) -> i64 {
    let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    execute(
        db,
        "INSERT INTO org (key, name, created_at) VALUES (?, ?, ?)",
        vec!["acme".into(), "Acme".into(), at.into()],
    )
    .await;
    let select = Query::select()
        .column((Alias::new("org"), Alias::new("id")))
        .from(Alias::new("org"))
        .to_owned();
    let conn = db.conn();
    let org: i64 = conn
        .query_one(conn.get_database_backend().build(&select))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();
    execute(
        db,
        "INSERT INTO ledger_entry (org_id, channel, entry_key, seq, content_hash, order_id, \
         bucket, label, mapped, amount_minor, currency, quantity, occurred_at, status, \
         source_kind, source_id, created_at, day) \
         VALUES (?, 'TIKTOK_SHOP', ?, 1, ?, 'o-1', 'OTHER', 'brand_new_fee_amount', ?, -123, \
         'USD', 0, ?, 'SETTLED', 'tiktok.test', 's', ?, ?)",
        vec![
            org.into(),
            key.into(),
            hash.into(),
            false.into(),
            at.into(),
            at.into(),
            at.date_naive().into(),
        ],
    )
    .await;
    org
}

#[tokio::test]
async fn old_rows_are_found_by_key_read_as_unchanged_and_survive_down_and_up() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    Migrator::up(db.conn(), Some(before())).await.unwrap();
    let key = "tiktok:st:1:tx:2:brand_new_fee_amount";
    let org = old_row(&db, key, &pinned_hex()).await;

    Migrator::up(db.conn(), None).await.unwrap();
    let migrated = ledger_entries(&db).await;
    assert_eq!(migrated.len(), 1);
    assert_eq!(migrated[0].key_hash, ledger::key_hash(key));
    assert_eq!(
        migrated[0].content_hash,
        hex::decode(pinned_hex()).unwrap()[..16]
    );

    // The old line comes again: found by its key, unchanged. Then other lines, and a correction
    // of the old one (a reversal + a new row), so down has every kind of row to recompute.
    let again = post_to(&db, org, vec![pinned_line(key)]).await;
    assert_eq!(
        again,
        PostOutcome {
            unchanged: 1,
            ..PostOutcome::default()
        }
    );
    let mut corrected = pinned_line(key);
    corrected.amount = Money::from_minor(-150, "USD".parse().unwrap());
    corrected.quantity = 2;
    let mut other = pinned_line("tiktok:st:1:tx:3:sale");
    other.bucket = FeeBucket::ProductSales;
    other.mapped = true;
    other.quantity = 1;
    let outcome = post_to(&db, org, vec![corrected.clone(), other.clone()]).await;
    assert_eq!((outcome.corrected, outcome.inserted), (1, 1));
    let written = ledger_entries(&db).await;
    assert_eq!(
        written.len(),
        4,
        "the old row, its reversal, the new row, the other line"
    );

    // Down (through this migration and every later one) gives back the text hashes and the
    // old unique key; every row is kept.
    Migrator::down(db.conn(), Some(migrations_from(MIGRATION)))
        .await
        .unwrap();
    let hexes: Vec<String> = ledger_column(&db, "ledger_entry.content_hash").await;
    assert_eq!(hexes.len(), 4);
    assert_eq!(hexes[0], pinned_hex(), "the old row's own hex comes back");
    assert_eq!(hexes[1], pinned_hex(), "a reversal carries its row's hash");
    for (hex_hash, row) in hexes.iter().zip(&written) {
        assert_eq!(hex::decode(hex_hash).unwrap()[..16], row.content_hash[..]);
        assert!(
            !hex_hash.ends_with(&"0".repeat(32)),
            "row {}: its full hash was recomputed, not padded",
            row.id
        );
    }

    // And up again: the same rows, byte for byte, and the ledger still posts idempotently.
    Migrator::up(db.conn(), None).await.unwrap();
    // (Later migrations rebuild the dictionaries: their ids may differ.)
    assert_eq!(
        without_dictionary_ids(ledger_entries(&db).await),
        without_dictionary_ids(written)
    );
    let replay = post_to(&db, org, vec![corrected, other]).await;
    assert_eq!(replay.unchanged, 2);
    assert_eq!(ledger_entries(&db).await.len(), 4);
    db.close().await;
}

#[tokio::test]
async fn a_content_hash_that_is_not_hex_refuses_the_migration_and_changes_nothing() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    Migrator::up(db.conn(), Some(before())).await.unwrap();
    old_row(&db, "tiktok:st:1:tx:2:fee", "not a hash").await;

    let error = Migrator::up(db.conn(), None).await.unwrap_err().to_string();
    assert!(error.contains("ledger_entry row"), "{error}");
    assert!(error.contains("not a hash"), "{error}");
    assert!(error.contains("nothing was converted"), "{error}");

    // Still the previous schema and row: the text hash is there and no key hash was added.
    let applied = Migrator::get_applied_migrations(db.conn()).await.unwrap();
    assert_ne!(applied.last().unwrap().name(), MIGRATION);
    let conn = db.conn();
    let backend = conn.get_database_backend();
    let hash: String = conn
        .query_one(Statement::from_string(
            backend,
            "SELECT ledger_entry.content_hash FROM ledger_entry",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "content_hash")
        .unwrap();
    assert_eq!(
        hash.trim_end(),
        "not a hash",
        "CHAR(64) on PostgreSQL pads it"
    );
    assert!(conn
        .query_one(Statement::from_string(
            backend,
            "SELECT ledger_entry.key_hash FROM ledger_entry",
        ))
        .await
        .is_err());
    db.close().await;
}
