//! Migration `m20261210_000001_code_ledger_vocabularies`: `ledger_entry.channel`, `bucket` and
//! `status` as codes. On a database written by the schema before it, every text becomes its code
//! and the lines read as before (the API's values, their content hashes: posting them again
//! changes nothing); the sums rebuilt from coded lines hold the text; down gives the text back and
//! up codes it again, the same rows. A text (up) or a code (down) the vocabulary lacks refuses the
//! migration, naming the row, and changes nothing.

use chrono::{TimeZone, Utc};
use entities::ledger_day;
use migration::{Migrator, MigratorTrait};
use pnl::db::Db;
use pnl::ledger::query::EntryFilter;
use pnl::ledger::{self, Channel, EntryStatus, FeeBucket, NewLine};
use pnl::money::Money;
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{
    acme_before, day_sums, execute, in_sums_order, ledger_column, ledger_entries, migrations_from,
    post_to, unmapped_line, up_again_the_same, TestDb,
};

const MIGRATION: &str = "m20261210_000001_code_ledger_vocabularies";

/// Three lines over three channels, buckets and both statuses.
fn lines() -> Vec<NewLine> {
    let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
    vec![
        NewLine {
            bucket: FeeBucket::PlatformCommission,
            label: "referral_fee_amount".to_owned(),
            mapped: true,
            occurred_at: at,
            ..unmapped_line("tiktok:st:1:ord:9:referral_fee_amount", -144)
        },
        NewLine {
            channel: Channel::Amazon,
            bucket: FeeBucket::ProductSales,
            label: "Principal".to_owned(),
            mapped: true,
            quantity: 2,
            status: EntryStatus::Estimated,
            occurred_at: at,
            ..unmapped_line("amazon:2026-03-04:USD:ord:9:Principal", 5_000)
        },
        NewLine {
            channel: Channel::Shopify,
            occurred_at: at,
            ..unmapped_line("shopify:payout:7:fee", -31)
        },
    ]
}

/// Every `(channel, bucket, status)` of the ledger as the columns hold them, by id.
async fn stored_texts(db: &Db) -> Vec<(String, String, String)> {
    let conn = db.conn();
    conn.query_all(Statement::from_string(
        conn.get_database_backend(),
        "SELECT ledger_entry.channel, ledger_entry.bucket, ledger_entry.status \
         FROM ledger_entry ORDER BY ledger_entry.id",
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| {
        (
            row.try_get("", "channel").unwrap(),
            row.try_get("", "bucket").unwrap(),
            row.try_get("", "status").unwrap(),
        )
    })
    .collect()
}

/// A Walmart reserve line as the schema before the migration stored it, written in plain SQL.
async fn old_row(db: &Db, org: i64, channel: &str) {
    let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
    let key = "walmart:report:1:reserve";
    execute(
        db,
        "INSERT INTO ledger_entry (org_id, channel, packed_key, key_hash, seq, content_hash, \
         bucket, label, mapped, amount_minor, currency, quantity, occurred_at, status, \
         source_kind_id, source_id, created_at, day) \
         VALUES (?, ?, ?, ?, 1, ?, 'RESERVES', 'reserve', ?, -500, 'USD', 0, ?, 'SETTLED', \
         (SELECT MAX(id) FROM source_kind), 'report-1', ?, ?)",
        vec![
            org.into(),
            channel.into(),
            key.into(),
            ledger::key_hash(key).into(),
            vec![0_u8; 16].into(),
            true.into(),
            at.into(),
            at.into(),
            at.date_naive().into(),
        ],
    )
    .await;
}

#[tokio::test]
async fn texts_become_codes_read_as_before_and_down_gives_them_back() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    let org = pnl::org::ensure(db.conn(), "acme").await.unwrap().id;
    post_to(&db, org, lines()).await;
    let written = ledger_entries(&db).await;
    let kept = day_sums(&db).await;

    // The schema before: the lines hold their text, and an older server adds one more.
    Migrator::down(db.conn(), Some(migrations_from(MIGRATION)))
        .await
        .unwrap();
    assert_eq!(
        stored_texts(&db).await,
        [
            ("TIKTOK_SHOP", "PLATFORM_COMMISSION", "SETTLED"),
            ("AMAZON", "PRODUCT_SALES", "ESTIMATED"),
            ("SHOPIFY", "OTHER", "SETTLED"),
        ]
        .map(|(c, b, s)| (c.to_owned(), b.to_owned(), s.to_owned()))
    );
    old_row(&db, org, "WALMART").await;

    Migrator::up(db.conn(), None).await.unwrap();
    let migrated = ledger_entries(&db).await;
    assert_eq!(migrated[..3], written[..]);
    let (channel, bucket, status) = (migrated[3].channel, migrated[3].bucket, migrated[3].status);
    assert_eq!(Channel::from_code(channel).unwrap(), Channel::Walmart);
    assert_eq!(FeeBucket::from_code(bucket).unwrap(), FeeBucket::Reserves);
    assert_eq!(
        EntryStatus::from_code(status).unwrap(),
        EntryStatus::Settled
    );

    // The API reads the values; the same lines again change nothing.
    let (entries, _) = ledger::query::list(db.conn(), org, &EntryFilter::default(), None, 10)
        .await
        .unwrap();
    let read: Vec<(Channel, FeeBucket, EntryStatus)> = entries
        .iter()
        .map(|entry| (entry.channel, entry.bucket, entry.status))
        .collect();
    assert_eq!(
        read,
        [
            (
                Channel::TikTokShop,
                FeeBucket::PlatformCommission,
                EntryStatus::Settled
            ),
            (
                Channel::Amazon,
                FeeBucket::ProductSales,
                EntryStatus::Estimated
            ),
            (Channel::Shopify, FeeBucket::Other, EntryStatus::Settled),
            (Channel::Walmart, FeeBucket::Reserves, EntryStatus::Settled),
        ]
    );
    let by_bucket = EntryFilter {
        bucket: Some(FeeBucket::ProductSales),
        channel: Some(Channel::Amazon),
        ..EntryFilter::default()
    };
    let (sales, _) = ledger::query::list(db.conn(), org, &by_bucket, None, 10)
        .await
        .unwrap();
    assert_eq!(sales.len(), 1);
    assert_eq!(
        sales[0].amount,
        Money::from_minor(5_000, "USD".parse().unwrap())
    );
    assert_eq!(post_to(&db, org, lines()).await.unchanged, 3);

    // The sums rebuilt from coded lines hold the text: the kept ones and the old row's.
    ledger::rollup::rebuild(db.conn(), org).await.unwrap();
    let rebuilt = day_sums(&db).await;
    let mut expected = kept.clone();
    expected.push(ledger_day::Model {
        id: 0,
        org_id: org,
        day: Utc
            .with_ymd_and_hms(2026, 3, 4, 0, 0, 0)
            .unwrap()
            .date_naive(),
        channel: "WALMART".to_owned(),
        shop_id: 0,
        listing_id: 0,
        product_id: 0,
        creator_id: 0,
        bucket: "RESERVES".to_owned(),
        status: "SETTLED".to_owned(),
        currency: "USD".to_owned(),
        amount_minor: -500,
        quantity: 0,
        sale_lines: 0,
    });
    assert_eq!(rebuilt, in_sums_order(expected));
    assert_eq!(
        kept.iter().map(|row| row.sale_lines).sum::<i64>(),
        1,
        "the Amazon sale counts as a sale line"
    );

    // Down and up again: the same rows.
    let now = ledger_entries(&db).await;
    Migrator::down(db.conn(), Some(migrations_from(MIGRATION)))
        .await
        .unwrap();
    assert_eq!(stored_texts(&db).await.len(), 4);
    up_again_the_same(&db, now).await;
    db.close().await;
}

#[tokio::test]
async fn a_text_or_code_the_vocabulary_lacks_refuses_the_migration_and_changes_nothing() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    let org = acme_before(&db, MIGRATION).await;
    old_row(&db, org, "EBAY").await;
    let error = Migrator::up(db.conn(), None).await.unwrap_err().to_string();
    let id = ledger_column::<i64>(&db, "ledger_entry.id").await[0];
    assert!(
        error.contains(&format!("ledger_entry row {id}: channel \"EBAY\"")),
        "{error}"
    );
    assert!(error.contains("nothing was converted"), "{error}");
    let applied = Migrator::get_applied_migrations(db.conn()).await.unwrap();
    assert!(applied.iter().all(|m| m.name() != MIGRATION));
    assert_eq!(
        stored_texts(&db).await,
        [(
            "EBAY".to_owned(),
            "RESERVES".to_owned(),
            "SETTLED".to_owned()
        )]
    );

    // Known again, it migrates; a code written since that this version lacks refuses down.
    execute(&db, "UPDATE ledger_entry SET channel = 'WALMART'", vec![]).await;
    Migrator::up(db.conn(), None).await.unwrap();
    execute(&db, "UPDATE ledger_entry SET bucket = 99", vec![]).await;
    let error = Migrator::down(db.conn(), Some(migrations_from(MIGRATION)))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&format!("ledger_entry row {id}: bucket \"99\"")),
        "{error}"
    );
    let applied = Migrator::get_applied_migrations(db.conn()).await.unwrap();
    assert!(applied.iter().any(|m| m.name() == MIGRATION));
    // (Later migrations went down before this one refused: read the column in plain SQL.)
    assert_eq!(ledger_column::<i16>(&db, "ledger_entry.bucket").await, [99]);
    db.close().await;
}
