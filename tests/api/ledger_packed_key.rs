//! Migration `m20261209_000001_pack_entry_keys` on a database written by the schema before it:
//! each readable key becomes a packed key that reads back as the same key; an old line is found
//! by its key again (unchanged, then corrected); down writes every key back as text, the new
//! rows' too; a packed key naming a column its row lacks refuses down and changes nothing.

use chrono::{TimeZone, Utc};
use migration::{Migrator, MigratorTrait};
use pnl::db::Db;
use pnl::ledger::query::EntryFilter;
use pnl::ledger::{self, NewLine, PostOutcome};
use pnl::money::Money;
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{
    acme_before, execute, ledger_column, ledger_entries, migrations_from, post_to, read_keys,
    unmapped_line, without_dictionary_ids, TestDb,
};

const MIGRATION: &str = "m20261209_000001_pack_entry_keys";

/// A TikTok order line's key: every part after `st` is a column of the row.
const ORDER_KEY: &str = "tiktok:st:7357390801829824421:ord:575028344399330829:sku:1733940396918162825:referral_fee_amount";
/// A key holding a placeholder character itself: kept verbatim.
const ODD_KEY: &str = "tiktok:st:1:tx:\u{3}:fee";

/// The order line as the ledger module posts it now.
fn order_line() -> NewLine {
    NewLine {
        order_id: Some("575028344399330829".to_owned()),
        order_line: Some("1733940396918162825".to_owned()),
        label: "referral_fee_amount".to_owned(),
        source_id: "7357390801829824421".to_owned(),
        occurred_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        ..unmapped_line(ORDER_KEY, -144)
    }
}

/// The schema before this migration with org `acme`, and the order line plus the odd key
/// stored by it in plain SQL: the rows an older server wrote, whatever the ledger module writes
/// now. Returns the org's id.
async fn old_rows(db: &Db) -> i64 {
    let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    let org = acme_before(db, MIGRATION).await;
    for (key, order_id, order_line, label, source_id) in [
        (
            ORDER_KEY,
            Some("575028344399330829"),
            Some("1733940396918162825"),
            "referral_fee_amount",
            "7357390801829824421",
        ),
        (ODD_KEY, None, None, "fee", "1"),
    ] {
        execute(
            db,
            "INSERT INTO ledger_entry (org_id, channel, entry_key, key_hash, seq, content_hash, \
             order_id, order_line, bucket, label, mapped, amount_minor, currency, quantity, \
             occurred_at, status, source_kind_id, source_id, created_at, day) \
             VALUES (?, 'TIKTOK_SHOP', ?, ?, 1, ?, ?, ?, 'OTHER', ?, ?, -144, 'USD', 0, ?, \
             'SETTLED', (SELECT MAX(id) FROM source_kind), ?, ?, ?)",
            vec![
                org.into(),
                key.into(),
                ledger::key_hash(key).into(),
                vec![0_u8; 16].into(),
                order_id.map(str::to_owned).into(),
                order_line.map(str::to_owned).into(),
                label.into(),
                false.into(),
                at.into(),
                source_id.into(),
                at.into(),
                at.date_naive().into(),
            ],
        )
        .await;
    }
    org
}

/// The `entry_key` column of every row, by id, after down.
async fn text_keys(db: &Db) -> Vec<String> {
    ledger_column(db, "ledger_entry.entry_key").await
}

#[tokio::test]
async fn old_keys_are_packed_found_again_and_written_back_by_down() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    let org = old_rows(&db).await;

    Migrator::up(db.conn(), None).await.unwrap();
    let migrated = ledger_entries(&db).await;
    assert_eq!(
        migrated[0].packed_key,
        "tiktok:st:\u{2}:ord:\u{3}:sku:\u{4}:\u{5}"
    );
    assert_eq!(migrated[1].packed_key, format!("\u{1}{ODD_KEY}"));
    assert_eq!(read_keys(&db, &migrated).await, [ORDER_KEY, ODD_KEY]);

    // The API reads the key back and finds its history by it.
    let (entries, _) = ledger::query::list(
        db.conn(),
        org,
        &EntryFilter {
            entry_key: Some(ORDER_KEY.to_owned()),
            ..EntryFilter::default()
        },
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entry_key, ORDER_KEY);

    // The old line comes again with new content: found by its key, so a correction (a reversal
    // and a new row), not a second line.
    let mut corrected = order_line();
    corrected.amount = Money::from_minor(-150, "USD".parse().unwrap());
    let outcome = post_to(&db, org, vec![corrected.clone()]).await;
    assert_eq!(
        outcome,
        PostOutcome {
            corrected: 1,
            ..PostOutcome::default()
        }
    );
    let written = ledger_entries(&db).await;
    assert_eq!(written.len(), 4);
    let keys = read_keys(&db, &written).await;
    assert!(written
        .iter()
        .zip(&keys)
        .all(|(row, key)| row.packed_key.len() < key.len() || row.packed_key.starts_with('\u{1}')));

    // Down writes every key back as text; up packs them again, the same bytes.
    Migrator::down(db.conn(), Some(migrations_from(MIGRATION)))
        .await
        .unwrap();
    assert_eq!(
        text_keys(&db).await,
        [ORDER_KEY, ODD_KEY, ORDER_KEY, ORDER_KEY]
    );
    Migrator::up(db.conn(), None).await.unwrap();
    assert_eq!(
        without_dictionary_ids(ledger_entries(&db).await),
        without_dictionary_ids(written)
    );
    let again = post_to(&db, org, vec![corrected]).await;
    assert_eq!(again.unchanged, 1);
    db.close().await;
}

#[tokio::test]
async fn a_packed_key_naming_a_missing_column_refuses_down_and_changes_nothing() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    let org = pnl::org::ensure(db.conn(), "acme").await.unwrap().id;
    post_to(&db, org, vec![order_line()]).await;
    // An operator's SQL takes the order id away from a row whose key names it.
    execute(&db, "UPDATE ledger_entry SET order_id = NULL", vec![]).await;
    let row = ledger_entries(&db).await.remove(0);
    assert!(ledger::query::entries(db.conn(), vec![row.clone()])
        .await
        .is_err());

    let error = Migrator::down(db.conn(), Some(migrations_from(MIGRATION)))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&format!("ledger_entry row {}", row.id)),
        "{error}"
    );
    assert!(error.contains("nothing was converted"), "{error}");
    let applied = Migrator::get_applied_migrations(db.conn()).await.unwrap();
    assert!(applied.iter().any(|m| m.name() == MIGRATION));
    // The later migrations, undone before it, apply again: the row is as it was.
    Migrator::up(db.conn(), None).await.unwrap();
    assert_eq!(ledger_entries(&db).await, [row]);
    db.close().await;
}

#[tokio::test]
async fn the_database_unpacks_every_key_as_the_server_does() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    let org = pnl::org::ensure(db.conn(), "acme").await.unwrap().id;
    let awkward = "東京 'x' % _ \\ \"q\"";
    let lines = vec![
        order_line(),
        unmapped_line(ODD_KEY, -1),
        NewLine {
            label: awkward.to_owned(),
            order_id: None,
            source_id: "s-1".to_owned(),
            ..unmapped_line(&format!("a:b:s-1:{awkward}:{awkward}#2"), -2)
        },
        NewLine {
            label: awkward.to_owned(),
            order_line: Some("l-1".to_owned()),
            ..unmapped_line(&format!("a:b:o-1:l-1:{awkward}"), -3)
        },
    ];
    let keys: Vec<String> = lines.iter().map(|line| line.entry_key.clone()).collect();
    post_to(&db, org, lines.clone()).await;
    let stored = ledger_entries(&db).await;
    assert_eq!(stored[3].packed_key, "a:b:\u{3}:\u{4}:\u{5}");
    let conn = db.conn();
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT {} AS entry_key FROM ledger_entry ORDER BY ledger_entry.id",
        ledger::packed_key::unpacked_sql(backend)
    );
    let unpacked: Vec<String> = conn
        .query_all(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get("", "entry_key").unwrap())
        .collect();
    let by_server = read_keys(&db, &stored).await;
    assert_eq!(unpacked, keys);
    assert_eq!(by_server, keys);
    // And posting found them all by their keys: the same lines again are unchanged.
    let again = post_to(&db, org, lines).await;
    assert_eq!(again.unchanged, 4);
    db.close().await;
}
