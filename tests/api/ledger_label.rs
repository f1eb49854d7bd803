//! Migration `m20261211_000001_ledger_labels_as_ids`: a ledger row carries the id of its label in
//! its org's dictionary `ledger_label`. On a database written by the schema before it, every
//! label becomes an id and the lines read as before (labels, entry keys that repeat the label,
//! content hashes: posting them again changes nothing); unmapped labels are still listed and
//! re-booked by name; another org's label of the same name is its own row, out of reach of this
//! org's re-booking; down writes the names back and up converts them again, the same lines.

use chrono::{TimeZone, Utc};
use entities::ledger_label;
use migration::{Migrator, MigratorTrait};
use pnl::db::Db;
use pnl::ledger::mapping::{change_override, unmapped_labels};
use pnl::ledger::query::{list, EntryFilter};
use pnl::ledger::{self, Channel, FeeBucket, NewLine};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};

use crate::helpers::{
    dictionary, execute, ledger_column, ledger_entries, migrations_from, post_to, unmapped_line,
    without_dictionary_ids, TestDb,
};

const MIGRATION: &str = "m20261211_000001_ledger_labels_as_ids";

/// The label an older server wrote after the lines were posted.
const OLD_LABEL: &str = "Lagergebühr für Überbestand";

fn line(key: &str, label: &str) -> NewLine {
    NewLine {
        label: label.to_owned(),
        order_id: Some("9".to_owned()),
        order_line: Some("3".to_owned()),
        occurred_at: Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap(),
        source_id: "1".to_owned(),
        ..unmapped_line(key, -144)
    }
}

/// Acme's lines: a mapped TikTok fee, an unmapped one, an Amazon sale; two keys repeat the label.
fn lines() -> Vec<NewLine> {
    vec![
        NewLine {
            bucket: FeeBucket::PlatformCommission,
            mapped: true,
            ..line(
                "tiktok:st:1:ord:9:sku:3:referral_fee_amount",
                "referral_fee_amount",
            )
        },
        line(
            "tiktok:st:1:ord:9:sku:3:brand_new_fee_amount",
            "brand_new_fee_amount",
        ),
        NewLine {
            channel: Channel::Amazon,
            bucket: FeeBucket::ProductSales,
            mapped: true,
            quantity: 2,
            amount: pnl::money::Money::from_minor(5_000, "USD".parse().unwrap()),
            ..line("amazon:2026-03-04:USD:order:9:sale", "Principal")
        },
    ]
}

/// (entry key, label) of each of `org`'s entries, oldest first, as the API reads them.
async fn read(db: &Db, org: i64) -> Vec<(String, String)> {
    list(db.conn(), org, &EntryFilter::default(), None, 100)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|entry| (entry.entry_key, entry.label))
        .collect()
}

/// An unmapped TikTok line as the schema before the migration stored it, written in plain SQL
/// by copying acme's first row under another key and label.
async fn old_row(db: &Db) {
    let key = format!("tiktok:st:1:ord:9:sku:3:{OLD_LABEL}");
    execute(
        db,
        "INSERT INTO ledger_entry (org_id, channel, packed_key, key_hash, seq, content_hash, \
         bucket, label, mapped, amount_minor, currency, quantity, occurred_at, status, \
         source_kind_id, source_id, created_at, day, order_id, order_line) \
         SELECT org_id, channel, packed_key, ?, 1, content_hash, bucket, ?, ?, -700, currency, \
         quantity, occurred_at, status, source_kind_id, source_id, created_at, day, order_id, \
         order_line FROM ledger_entry WHERE id = (SELECT MIN(id) FROM ledger_entry)",
        vec![
            ledger::key_hash(&key).into(),
            OLD_LABEL.into(),
            false.into(),
        ],
    )
    .await;
}

#[tokio::test]
async fn labels_become_ids_of_each_orgs_dictionary_read_as_before_and_go_back_down() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    let acme = pnl::org::ensure(db.conn(), "acme").await.unwrap().id;
    let other = pnl::org::ensure(db.conn(), "other").await.unwrap().id;
    post_to(&db, acme, lines()).await;
    post_to(
        &db,
        other,
        vec![
            line(
                "tiktok:st:2:ord:8:sku:3:referral_fee_amount",
                "referral_fee_amount",
            ),
            line("tiktok:st:2:ord:8:sku:3:b_only_fee", "b_only_fee"),
        ],
    )
    .await;
    let expected: Vec<(String, String)> = lines()
        .into_iter()
        .map(|line| (line.entry_key, line.label))
        .collect();
    assert_eq!(read(&db, acme).await, expected);
    assert_eq!(
        dictionary(&db, "ledger_label", acme).await,
        ["Principal", "brand_new_fee_amount", "referral_fee_amount"]
    );
    // The other org's label of the same name is its own row.
    assert_eq!(
        dictionary(&db, "ledger_label", other).await,
        ["b_only_fee", "referral_fee_amount"]
    );
    let named = ledger_label::Entity::find()
        .filter(ledger_label::Column::Name.eq("referral_fee_amount"))
        .all(db.conn())
        .await
        .unwrap();
    assert_eq!(named.len(), 2);
    assert_ne!(named[0].id, named[1].id);

    // The schema before: every line holds its label's text, and an older server adds a line.
    Migrator::down(db.conn(), Some(migrations_from(MIGRATION)))
        .await
        .unwrap();
    assert_eq!(
        ledger_column::<String>(&db, "ledger_entry.label").await,
        [
            "referral_fee_amount",
            "brand_new_fee_amount",
            "Principal",
            "referral_fee_amount",
            "b_only_fee"
        ]
    );
    let conn = db.conn();
    let gone = Statement::from_string(conn.get_database_backend(), "SELECT id FROM ledger_label");
    assert!(conn.query_one(gone.clone()).await.is_err());
    old_row(&db).await;

    // Up: the lines read as before, the old one with its key and label.
    Migrator::up(db.conn(), None).await.unwrap();
    let mut with_old = expected.clone();
    with_old.push((
        format!("tiktok:st:1:ord:9:sku:3:{OLD_LABEL}"),
        OLD_LABEL.to_owned(),
    ));
    assert_eq!(read(&db, acme).await, with_old);
    assert_eq!(dictionary(&db, "ledger_label", acme).await.len(), 4);
    assert_eq!(post_to(&db, acme, lines()).await.unchanged, 3);
    let unmapped: Vec<(String, i64)> = unmapped_labels(db.conn(), acme)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.label, row.total_minor))
        .collect();
    assert_eq!(
        unmapped,
        [
            (OLD_LABEL.to_owned(), -700),
            ("brand_new_fee_amount".to_owned(), -144)
        ]
    );

    // Re-booking finds the old line by its label; another org's label is not this org's.
    let (_, change) = change_override(
        &db,
        acme,
        "test",
        Channel::TikTokShop,
        OLD_LABEL,
        FeeBucket::Storage,
    )
    .await
    .unwrap();
    assert_eq!(change.lines_moved, 1);
    let (_, change) = change_override(
        &db,
        acme,
        "test",
        Channel::TikTokShop,
        "b_only_fee",
        FeeBucket::Storage,
    )
    .await
    .unwrap();
    assert_eq!(change.lines_moved, 0);
    assert_eq!(
        unmapped_labels(db.conn(), other).await.unwrap()[0].label,
        "b_only_fee"
    );
    assert_eq!(
        unmapped_labels(db.conn(), acme).await.unwrap().len(),
        1,
        "only brand_new_fee_amount is left unmapped"
    );

    // Down and up again: the same lines.
    let now = ledger_entries(&db).await;
    let now_read = read(&db, acme).await;
    Migrator::down(db.conn(), Some(migrations_from(MIGRATION)))
        .await
        .unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    assert_eq!(
        without_dictionary_ids(ledger_entries(&db).await),
        without_dictionary_ids(now)
    );
    assert_eq!(read(&db, acme).await, now_read);
    assert_eq!(read(&db, other).await.len(), 2);
    db.close().await;
}
